#!/bin/sh
# keepalived notify script (lab): notify TYPE NAME STATE PRIORITY
# Records the role in /opt/cisco/esc/keepalived_state and writes ESC-like lines
# (SYNTHETIC wording: ESC's real escadm/escmanager messages are not public).
PATH=/usr/sbin:/usr/bin:/sbin:/bin
state=${3:-UNKNOWN}
ts=$(date -u +'%Y-%m-%d %H:%M:%S,%3N')
case "$state" in
  MASTER) action="starting esc_service"; level=INFO ;;
  BACKUP) action="stopping esc_service"; level=INFO ;;
  FAULT) action="stopping esc_service"; level=WARN ;;
  STOP) action="stopping esc_service"; level=INFO ;;
  *) action="no action"; level=WARN ;;
esac
printf '%s\n' "$state" > /opt/cisco/esc/keepalived_state
printf '%s %s escadm: keepalived notify: transition to %s, %s\n' "$ts" "$level" "$state" "$action" >> /var/log/esc/escadm.log
printf '%s %-5s [com.cisco.esc.ha.HaStatusMonitor] [pool-3-thread-1] HA role changed to %s\n' "$ts" "$level" "$state" >> /var/log/esc/escmanager.log
exit 0
