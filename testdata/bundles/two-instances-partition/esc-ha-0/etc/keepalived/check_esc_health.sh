#!/bin/sh
# lab stand-in for ESC's health check: healthy while the flag file exists
[ -e /opt/cisco/esc/health_ok ]
