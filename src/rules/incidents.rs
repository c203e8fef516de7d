//! One incident, one finding: folds the findings the engine made per transition, per window and
//! per event into one finding per incident. An incident is a split-brain window with the
//! transitions that open and close it, a hand-over (a master leaving and the peer taking over
//! within seconds of each other), and the findings that only restate its evidence or that a rule
//! declares a facet of it (DRBD's side of a split-brain). The folded finding names one cause:
//! that of the incident's earliest transition whose cause is known.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use super::model::{RuleSet, SubjectKind};
use crate::finding::{Failover, Finding, Severity, SplitBrain, SplitBrainKind};
use crate::timeline::state::Role;

/// Transitions of one instance this close to each other belong to one incident.
pub const LINK_S: i64 = 30;
/// Changes of one node's instances this close to each other, the same way, moved together.
pub const MOVED_TOGETHER_S: i64 = 1;
/// A transition this close to a split-brain window's edges opens or closes it.
pub const WINDOW_GRACE_S: i64 = 2;
/// DRBD finds a split-brain when the nodes reconnect, which may be a while after the window: a
/// facet of an incident (`part_of_incident`) this long after it still belongs to it.
pub const AFTERMATH_S: i64 = 600;

/// A VRRP split-brain window as the facets see it: its start (or the instant seen), its end, its
/// finding's index, its nodes.
type VrrpWindow<'a> = (DateTime<Utc>, Option<DateTime<Utc>>, usize, &'a [String]);

/// Disjoint sets over finding indices.
struct Groups {
    parent: Vec<usize>,
}

impl Groups {
    fn new(count: usize) -> Groups {
        Groups {
            parent: (0..count).collect(),
        }
    }

    fn root(&mut self, mut index: usize) -> usize {
        while self.parent[index] != index {
            self.parent[index] = self.parent[self.parent[index]];
            index = self.parent[index];
        }
        index
    }

    /// The members of each group, at its root's index (other indices empty).
    fn members(&mut self) -> Vec<Vec<usize>> {
        let mut members = vec![Vec::new(); self.parent.len()];
        for index in 0..self.parent.len() {
            let root = self.root(index);
            members[root].push(index);
        }
        members
    }

    fn join(&mut self, left: usize, right: usize) {
        let (left, right) = (self.root(left), self.root(right));
        if left != right {
            self.parent[right.max(left)] = right.min(left);
        }
    }
}

/// How a transition is named in a title: `esc-ha-0 MASTER → STOP at 15:54:28`, with its instance
/// (`MASTER → STOP of VI_2 at`) where the input has several.
pub fn transition_label(
    transition: &Failover,
    with_instance: bool,
    time: &dyn Fn(DateTime<Utc>) -> String,
) -> String {
    let instance = if with_instance {
        format!(" of {}", transition.instance)
    } else {
        String::new()
    };
    format!(
        "{} {} → {}{instance} {}",
        transition.node,
        transition.from,
        transition.to,
        transition
            .time
            .map_or_else(|| "(no date)".to_string(), |at| format!("at {}", time(at)))
    )
}

/// How many transitions an incident's title names before it says how many more there are.
const TITLE_TRANSITIONS: usize = 6;

/// Folds `findings` into one finding per incident; sets each failover's and window's `finding`
/// to the id of the finding that reports it. `time` formats a time for a title.
pub fn fold(
    findings: Vec<Finding>,
    transitions: &mut [Failover],
    split_brain: &mut [SplitBrain],
    rules: &RuleSet,
    time: &dyn Fn(DateTime<Utc>) -> String,
) -> Vec<Finding> {
    let count = findings.len();
    let mut groups = Groups::new(count);
    let transition_of = |finding: &Finding| {
        finding
            .transitions
            .first()
            .map(|index| &transitions[*index])
    };
    let part_of = |finding: &Finding| rules.is_part_of_incident(&finding.rule);

    // Hand-overs: transitions of one instance within LINK_S of each other (start-up elections and
    // other informational transitions stand alone).
    let mut chained: Vec<usize> = (0..count)
        .filter(|index| {
            findings[*index].severity >= Severity::Warning
                && transition_of(&findings[*index])
                    .is_some_and(|transition| transition.time.is_some())
        })
        .collect();
    chained.sort_by_key(|index| {
        let transition = transition_of(&findings[*index]).expect("filtered");
        (transition.instance.clone(), transition.time)
    });
    // Each change joins the nearest earlier one of its instance within LINK_S that it can be one
    // incident with, another node's hand-over of the VIP before the node's own earlier change: a
    // change between them that cannot (a standby's own FAULT blip between the MASTER's fault
    // and the takeover it let happen) is passed over, not a break in the chain.
    let unexplained = |transition: &Failover| transition.cause == "unknown";
    let may_hold = |role: Role| matches!(role, Role::Master | Role::Unknown);
    for right_position in 1..chained.len() {
        let right = transition_of(&findings[chained[right_position]]).expect("filtered");
        let mut own_earlier = None;
        for left_position in (0..right_position).rev() {
            let left = transition_of(&findings[chained[left_position]]).expect("filtered");
            let within = right
                .time
                .zip(left.time)
                .is_some_and(|(right, left)| right - left <= Duration::seconds(LINK_S));
            if left.instance != right.instance || !within {
                break;
            }
            // One node's takeover and its yield soon after are one incident (the peer silent
            // for a moment, then back and preempting), unless no rule explained the takeover
            // and one did the yield: the takeover would take the yield's cause, which says
            // nothing of why the node took over. Likewise a yield a rule explained and the same
            // node's unexplained takeover after it (preempted, then back when the preempting
            // peer went quiet). A flapping node's changes stay one incident.
            let cause_lent_within_node = left.node == right.node
                && ((left.to == Role::Master
                    && right.from == Role::Master
                    && unexplained(left)
                    && !unexplained(right))
                    || (left.from == Role::Master
                        && right.to == Role::Master
                        && !unexplained(left)
                        && unexplained(right)));
            if cause_lent_within_node {
                break;
            }
            // Two nodes' changes are one incident where the VIP can have passed between them
            // (one left MASTER, or a state not known, and the other took over; the other
            // yielded to a taker; both went MASTER) or where one cause moved both (a tracked
            // file both watch). A standby's check failing (BACKUP → FAULT) beside the other's
            // start-up takeover hands nothing over.
            if left.node == right.node {
                own_earlier.get_or_insert(left_position);
                continue;
            }
            let hand_over = (left.cause == right.cause && !unexplained(left))
                || (may_hold(left.from) && left.to != Role::Master && right.to == Role::Master)
                || (left.to == Role::Master && may_hold(right.from) && right.to != Role::Master)
                || (left.to == Role::Master && right.to == Role::Master)
                || (left.from == Role::Master && right.from == Role::Master);
            if hand_over {
                groups.join(chained[left_position], chained[right_position]);
                own_earlier = None;
                break;
            }
        }
        if let Some(left_position) = own_earlier {
            groups.join(chained[left_position], chained[right_position]);
        }
    }

    // Split-brain windows with the transitions that open and close them: per instance, the
    // transitions in time order, so each window looks only at its own span.
    let grace = Duration::seconds(WINDOW_GRACE_S);
    let mut first_by_id: HashMap<&str, usize> = HashMap::new();
    for (index, finding) in findings.iter().enumerate() {
        first_by_id.entry(finding.id.as_str()).or_insert(index);
    }
    let index_of = |id: &Option<String>| id.as_deref().and_then(|id| first_by_id.get(id).copied());
    let mut by_instance: HashMap<&str, Vec<(DateTime<Utc>, usize)>> = HashMap::new();
    for (index, finding) in findings.iter().enumerate() {
        if let Some(transition) = transition_of(finding)
            && let Some(time) = transition.time
        {
            by_instance
                .entry(transition.instance.as_str())
                .or_default()
                .push((time, index));
        }
    }
    for list in by_instance.values_mut() {
        list.sort();
    }
    for window in split_brain.iter() {
        let Some(window_finding) = index_of(&window.finding) else {
            continue;
        };
        if window.kind != SplitBrainKind::Vrrp {
            continue;
        }
        let Some(start) = window.start.or(window.seen_at) else {
            continue;
        };
        let Some(list) = window
            .instance
            .as_deref()
            .and_then(|instance| by_instance.get(instance))
        else {
            continue;
        };
        let from = list.partition_point(|(time, _)| *time < start - grace);
        for (time, index) in &list[from..] {
            if window.end.is_some_and(|end| *time > end + grace) {
                break;
            }
            let transition = transition_of(&findings[*index]).expect("listed with one");
            if window.nodes.contains(&transition.node) {
                groups.join(window_finding, *index);
                // A window whose end the logs do not show ends at the latest when one of its
                // masters leaves MASTER: a later takeover is another incident.
                if window.end.is_none() && transition.from == Role::Master && *time >= start {
                    break;
                }
            }
        }
    }

    // Facets: near a VRRP window, or near each other.
    let aftermath = Duration::seconds(AFTERMATH_S);
    let facets: Vec<usize> = (0..count)
        .filter(|index| part_of(&findings[*index]))
        .collect();
    // The VRRP windows by start; a facet looks only at those that can reach it.
    let mut windows: Vec<VrrpWindow> = split_brain
        .iter()
        .filter(|window| window.kind == SplitBrainKind::Vrrp)
        .filter_map(|window| {
            Some((
                window.start.or(window.seen_at)?,
                window.end,
                index_of(&window.finding)?,
                window.nodes.as_slice(),
            ))
        })
        .collect();
    windows.sort_by_key(|(start, end, finding, _)| (*start, *end, *finding));
    let longest = windows
        .iter()
        .filter_map(|(start, end, _, _)| end.map(|end| end - *start))
        .max()
        .unwrap_or_else(Duration::zero)
        .max(Duration::zero());
    let open: Vec<usize> = (0..windows.len())
        .filter(|position| windows[*position].1.is_none())
        .collect();
    for &facet in &facets {
        let finding = &findings[facet];
        let Some(at) = finding.start else {
            continue;
        };
        let upto = windows.partition_point(|(start, _, _, _)| *start - grace <= at);
        let from = windows.partition_point(|(start, _, _, _)| *start < at - aftermath - longest);
        let candidates =
            (from..upto).chain(open.iter().copied().filter(|position| *position < from));
        for position in candidates {
            let (start, end, window_finding, nodes) = windows[position];
            let end = end.unwrap_or(DateTime::<Utc>::MAX_UTC - aftermath);
            if window_finding != facet
                && at >= start - grace
                && at <= end + aftermath
                && finding.nodes.iter().any(|node| nodes.contains(node))
            {
                groups.join(window_finding, facet);
            }
        }
    }
    // Facets within AFTERMATH_S of each other, transitively: neighbours in time order; facets
    // without a time together.
    let mut timed: Vec<(DateTime<Utc>, usize)> = facets
        .iter()
        .filter_map(|facet| findings[*facet].start.map(|start| (start, *facet)))
        .collect();
    timed.sort();
    for pair in timed.windows(2) {
        if pair[1].0 - pair[0].0 <= aftermath {
            groups.join(pair[0].1, pair[1].1);
        }
    }
    let untimed: Vec<usize> = facets
        .iter()
        .copied()
        .filter(|facet| findings[*facet].start.is_none())
        .collect();
    for pair in untimed.windows(2) {
        groups.join(pair[0], pair[1]);
    }

    // Findings that only restate evidence an incident already holds: per evidence line, the
    // incidents (with a transition) holding it; the first incident holding all of a finding's.
    let members = groups.members();
    let mut holders_of_line: HashMap<usize, BTreeSet<usize>> = HashMap::new();
    for (root, group) in members.iter().enumerate() {
        if !group
            .iter()
            .any(|member| transition_of(&findings[*member]).is_some())
        {
            continue;
        }
        for member in group {
            for line in &findings[*member].evidence {
                holders_of_line.entry(*line).or_default().insert(root);
            }
        }
    }
    let window_findings: HashSet<&str> = split_brain
        .iter()
        .filter_map(|window| window.finding.as_deref())
        .collect();
    for (index, finding) in findings.iter().enumerate() {
        if transition_of(finding).is_some()
            || part_of(finding)
            || finding.evidence.is_empty()
            || window_findings.contains(finding.id.as_str())
        {
            continue;
        }
        let holder = holders_of_line
            .get(&finding.evidence[0])
            .into_iter()
            .flatten()
            .copied()
            .find(|root| {
                *root != index
                    && finding.evidence[1..].iter().all(|line| {
                        holders_of_line
                            .get(line)
                            .is_some_and(|roots| roots.contains(root))
                    })
            });
        if let Some(root) = holder {
            groups.join(root, index);
        }
    }
    // Instances that moved together: one node's changes of several instances in the same
    // moment (within MOVED_TOGETHER_S), the same way, are one incident when one rule explains
    // them all (every instance of the node timed out, or yielded to one better advert), or when
    // keepalived moved one with the other (a sync group's member: `follows_another_instance`).
    // Each instance's split-brain stays an incident of its own.
    let mut holds_window: Vec<bool> = findings
        .iter()
        .map(|finding| window_findings.contains(finding.id.as_str()))
        .collect();
    for index in 0..count {
        if holds_window[index] {
            let root = groups.root(index);
            holds_window[root] = true;
        }
    }
    let follows = |finding: &Finding| rules.follows_another_instance(&finding.rule);
    let mut moves: Vec<(usize, &Failover, DateTime<Utc>)> = (0..count)
        .filter_map(|index| {
            let transition = transition_of(&findings[index])?;
            Some((index, transition, transition.time?))
        })
        .collect();
    moves.sort_by(|left, right| {
        (left.1.node.as_str(), left.2, left.0).cmp(&(right.1.node.as_str(), right.2, right.0))
    });
    let together = Duration::seconds(MOVED_TOGETHER_S);
    let mut first = 0;
    while first < moves.len() {
        // The node's changes within MOVED_TOGETHER_S of the first of them: measured from one
        // change, so that changes a second apart each do not chain into a long incident.
        let (_, anchor, anchor_time) = moves[first];
        let mut end = first + 1;
        while end < moves.len()
            && moves[end].1.node == anchor.node
            && moves[end].2 - anchor_time <= together
        {
            end += 1;
        }
        let moment = &moves[first..end];
        let same_way = |left: &Failover, right: &Failover| {
            left.instance != right.instance && left.from == right.from && left.to == right.to
        };
        for (position, (left_index, left, _)) in moment.iter().enumerate() {
            if follows(&findings[*left_index]) {
                continue;
            }
            for (right_index, right, _) in &moment[position + 1..] {
                if !follows(&findings[*right_index])
                    && findings[*left_index].rule == findings[*right_index].rule
                    && same_way(left, right)
                {
                    join_unless_two_windows(
                        &mut groups,
                        &mut holds_window,
                        *left_index,
                        *right_index,
                    );
                }
            }
        }
        // A member keepalived moved with another joins that one only (the first that moved the
        // same way), never bridging two changes of different causes.
        for (follower_index, follower, _) in moment {
            if !follows(&findings[*follower_index]) {
                continue;
            }
            if let Some((leader_index, _, _)) = moment.iter().find(|(index, leader, _)| {
                !follows(&findings[*index]) && same_way(leader, follower)
            }) {
                join_unless_two_windows(
                    &mut groups,
                    &mut holds_window,
                    *leader_index,
                    *follower_index,
                );
            }
        }
        first = end;
    }

    let members = groups.members();

    let mut slots: Vec<Option<Finding>> = findings.into_iter().map(Some).collect();
    let mut folded = Vec::new();
    let several_instances = transitions
        .iter()
        .any(|transition| transition.instance != transitions[0].instance);
    let mut windows = WindowsByFinding::new(split_brain);
    for group in members.into_iter().filter(|group| !group.is_empty()) {
        let group: Vec<Finding> = group
            .into_iter()
            .map(|index| slots[index].take().expect("each finding is in one group"))
            .collect();
        let finding = fold_group(
            group,
            transitions,
            split_brain,
            &mut windows,
            rules,
            several_instances,
            time,
        );
        for index in &finding.transitions {
            transitions[*index].finding = Some(finding.id.clone());
        }
        folded.push(finding);
    }
    folded
}

/// Joins the incidents of two findings, unless each already holds a split-brain window (each
/// instance's split-brain stays an incident of its own). `holds_window` is kept per root.
fn join_unless_two_windows(
    groups: &mut Groups,
    holds_window: &mut [bool],
    left: usize,
    right: usize,
) {
    let (left_root, right_root) = (groups.root(left), groups.root(right));
    if left_root == right_root || (holds_window[left_root] && holds_window[right_root]) {
        return;
    }
    groups.join(left_root, right_root);
    let joined = holds_window[left_root] || holds_window[right_root];
    let root = groups.root(left_root);
    holds_window[root] = joined;
}

/// A remedy in lower case with each track script it names (`` `chk_nginx` ``, one word in
/// backquotes) and `the track script` (where its lines name none) written alike.
fn without_script_names(remedy: &str) -> String {
    let lower = remedy.to_lowercase().replace("the track script", "``");
    let mut plain = String::with_capacity(lower.len());
    let mut rest = lower.as_str();
    while let Some(open) = rest.find('`') {
        plain.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        match after.find('`') {
            Some(close) if !after[..close].contains(char::is_whitespace) => {
                plain.push('`');
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    plain.push_str(rest);
    plain
}

/// How long before a start-up takeover the yield it forces may be logged (see `fold_group`).
const YIELD_BEFORE_ITS_TAKEOVER_S: i64 = 3;

/// The split-brain windows (their indices, in order) of each finding id that reports one, kept
/// as findings fold into one (a flapping pair has thousands of both).
struct WindowsByFinding(HashMap<String, Vec<usize>>);

impl WindowsByFinding {
    fn new(split_brain: &[SplitBrain]) -> WindowsByFinding {
        let mut by_finding: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, window) in split_brain.iter().enumerate() {
            if let Some(id) = &window.finding {
                by_finding.entry(id.clone()).or_default().push(index);
            }
        }
        WindowsByFinding(by_finding)
    }

    fn of(&self, id: &str) -> &[usize] {
        self.0.get(id).map_or(&[], Vec::as_slice)
    }

    /// Points the windows of the findings `merged` into `into` at it.
    fn fold_into(&mut self, split_brain: &mut [SplitBrain], merged: &[String], into: &str) {
        let mut moved: Vec<usize> = Vec::new();
        for id in merged {
            if id != into
                && let Some(indices) = self.0.remove(id)
            {
                moved.extend(indices);
            }
        }
        if moved.is_empty() {
            return;
        }
        for index in &moved {
            split_brain[*index].finding = Some(into.to_string());
        }
        let kept = self.0.entry(into.to_string()).or_default();
        kept.extend(moved);
        kept.sort_unstable();
    }
}

/// One finding for the findings of one incident.
fn fold_group(
    mut group: Vec<Finding>,
    transitions: &[Failover],
    split_brain: &mut [SplitBrain],
    windows: &mut WindowsByFinding,
    rules: &RuleSet,
    several_instances: bool,
    time: &dyn Fn(DateTime<Utc>) -> String,
) -> Finding {
    let transition_time = |finding: &Finding| {
        finding
            .transitions
            .first()
            .and_then(|index| transitions[*index].time)
    };
    let transition_node = |finding: &Finding| {
        finding
            .transitions
            .first()
            .map(|index| transitions[*index].node.as_str())
    };
    group.sort_by_key(|finding| (finding.start, finding.id.clone()));
    let is_window = |finding: &Finding| {
        windows
            .of(&finding.id)
            .iter()
            .any(|index| split_brain[*index].kind == SplitBrainKind::Vrrp)
    };
    // A transition keepalived made with another instance's (a sync group's member) takes that
    // one's cause: it is the incident's cause only where nothing else is.
    let follower = |finding: &Finding| rules.follows_another_instance(&finding.rule);
    let only_followers = group
        .iter()
        .filter(|finding| transition_time(finding).is_some())
        .all(follower);
    let may_lead = |finding: &Finding| only_followers || !follower(finding);
    // A split-brain's cause is that of the takeover that opened it: the last one up to its start
    // (or the moment its proof was seen), not an earlier change of the same incident.
    let opened_at = group
        .iter()
        .find(|finding| is_window(finding))
        .and_then(|lead| {
            let window = &split_brain[*windows.of(&lead.id).first()?];
            window.start.or(window.seen_at)
        });
    let opening_member = opened_at.and_then(|at| {
        group
            .iter()
            .filter(|finding| {
                finding.cause_known()
                    && may_lead(finding)
                    && finding.transitions.first().is_some_and(|index| {
                        transitions[*index].to == Role::Master
                            && transitions[*index]
                                .time
                                .is_some_and(|time| time <= at + Duration::seconds(2))
                    })
            })
            .max_by_key(|finding| transition_time(finding))
            .map(|finding| finding.id.clone())
    });
    // Otherwise the cause: the earliest transition whose cause is known, warnings before
    // information; of one moment, the change that starts a hand-over before the one it makes: a
    // stop or FAULT before the takeover it lets happen, a takeover before the yield it forces
    // (a yield logged up to a few seconds before it too).
    let cause_member = opening_member.or_else(|| {
        [Severity::Warning, Severity::Info]
            .iter()
            .find_map(|floor| {
                group
                    .iter()
                    .filter(|finding| {
                        transition_time(finding).is_some()
                            && finding.severity >= *floor
                            && finding.cause_known()
                            && may_lead(finding)
                    })
                    .min_by(|left, right| {
                        let step = |finding: &Finding| {
                            finding.transitions.first().map_or(2, |index| {
                                match transitions[*index].to {
                                    Role::Stop | Role::Fault => 0,
                                    Role::Master => 1,
                                    _ => 2,
                                }
                            })
                        };
                        // A start-up takeover before a yield logged up to
                        // YIELD_BEFORE_ITS_TAKEOVER_S earlier: keepalived 1.x's starting node
                        // logs `Entering MASTER STATE` a second or more after the transition
                        // whose advert made the old MASTER yield, and the start is why the VIP
                        // moved. Not other takeovers: a yield logged before them may be what let
                        // them happen.
                        let start_up_takeover = |finding: &Finding| {
                            step(finding) == 1
                                && finding.cause.as_deref() == Some("startup-election")
                        };
                        let forced_yield = |taker: &Finding, yielder: &Finding| {
                            start_up_takeover(taker)
                                && step(yielder) == 2
                                && transition_time(taker)
                                    .zip(transition_time(yielder))
                                    .is_some_and(|(taken, yielded)| {
                                        yielded <= taken
                                            && taken - yielded
                                                <= Duration::seconds(YIELD_BEFORE_ITS_TAKEOVER_S)
                                    })
                        };
                        if forced_yield(left, right) {
                            std::cmp::Ordering::Less
                        } else if forced_yield(right, left) {
                            std::cmp::Ordering::Greater
                        } else {
                            (transition_time(left), step(left))
                                .cmp(&(transition_time(right), step(right)))
                        }
                    })
                    .map(|finding| finding.id.clone())
            })
    });
    let lead = group
        .iter()
        .position(is_window)
        .or_else(|| {
            cause_member
                .as_ref()
                .and_then(|id| group.iter().position(|finding| &finding.id == id))
        })
        .or_else(|| {
            group
                .iter()
                .position(|finding| transition_time(finding).is_some() && may_lead(finding))
        })
        .or_else(|| {
            // Of events alone (DRBD's split-brain and what goes with it), the most severe, then
            // the earliest: a kernel fault or a note folded into a split-brain does not title it.
            group
                .iter()
                .enumerate()
                .max_by_key(|(index, finding)| (finding.severity, std::cmp::Reverse(*index)))
                .map(|(index, _)| index)
        })
        .unwrap_or(0);
    let lead_is_window = is_window(&group[lead]);
    let mut folded = group[lead].clone();
    if group.len() == 1 && folded.transitions.is_empty() {
        return folded;
    }
    let cause_finding = cause_member
        .as_ref()
        .and_then(|id| group.iter().find(|finding| &finding.id == id));
    let has_transition = group
        .iter()
        .any(|finding| transition_time(finding).is_some());
    folded.cause = match cause_finding {
        Some(finding) => finding.cause.clone(),
        None if has_transition => Some("unknown".to_string()),
        None => folded.cause,
    };
    let mut all_transitions: Vec<usize> = group
        .iter()
        .flat_map(|finding| finding.transitions.iter().copied())
        .collect();
    all_transitions.sort_by_key(|index| (transitions[*index].time, *index));
    all_transitions.dedup();
    if !lead_is_window && !all_transitions.is_empty() {
        // The title names the lead's cause and the incident's transitions: all of them when
        // they are few, else the first ones, how many more, and the last (a flapping instance
        // makes thousands; the finding's transitions list them all).
        let label = |index: &usize| transition_label(&transitions[*index], several_instances, time);
        let labels = if all_transitions.len() <= TITLE_TRANSITIONS {
            all_transitions
                .iter()
                .map(label)
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            let first: Vec<String> = all_transitions[..TITLE_TRANSITIONS - 1]
                .iter()
                .map(label)
                .collect();
            format!(
                "{}, and {} more up to {}",
                first.join(", "),
                all_transitions.len() - TITLE_TRANSITIONS,
                all_transitions.last().map(label).unwrap_or_default()
            )
        };
        folded.title = format!("{} ({labels})", folded.title);
    }
    let facets: Vec<&Finding> = group
        .iter()
        .filter(|finding| rules.is_part_of_incident(&finding.rule))
        .collect();
    let mut explanation = vec![group[lead].explanation.clone()];
    let mut remedy = Vec::new();
    match cause_finding {
        Some(cause) if cause.id != group[lead].id => {
            explanation.push(cause.explanation.clone());
            remedy.push(cause.remedy.clone());
        }
        _ => remedy.push(group[lead].remedy.clone()),
    }
    // A change of the lead's instance that a rule explains otherwise than the text shown (the
    // same node's takeover after its yield, each by a better advert: the takeover's own words say
    // who preempted whom), once per rule and kind of change: a flapping node's yields repeat one.
    // Each node's FAULT counts apart: every node that faulted has its own check to run.
    let kind_of = |finding: &Finding| {
        finding.transitions.first().map(|index| {
            let transition = &transitions[*index];
            let kind = super::engine::subject_kind(transition.from, transition.to);
            let node = (kind == SubjectKind::Fault).then(|| transition.node.clone());
            (finding.rule.clone(), kind, node)
        })
    };
    let lead_instance = group[lead]
        .transitions
        .first()
        .map(|index| transitions[*index].instance.clone());
    let lead_node = transition_node(&group[lead]);
    let mut shown: Vec<_> = [Some(&group[lead]), cause_finding]
        .into_iter()
        .flatten()
        .filter_map(kind_of)
        .collect();
    for finding in &group {
        let Some(kind) = kind_of(finding) else {
            continue;
        };
        let same_instance = finding
            .transitions
            .first()
            .is_some_and(|index| Some(&transitions[*index].instance) == lead_instance.as_ref());
        if same_instance
            && finding.cause_known()
            && may_lead(finding)
            && !shown.contains(&kind)
            && !explanation.contains(&finding.explanation)
        {
            // Another node's change that the same rule explains in the same words but for the
            // node's name is said once: the same on that node.
            if let (Some(node), Some(lead_node)) = (transition_node(finding), lead_node)
                && node != lead_node
                && explanation
                    .iter()
                    .any(|shown| *shown == finding.explanation.replace(node, lead_node))
            {
                say_the_same_on(node, lead_node, finding, &mut explanation, &mut remedy);
                shown.push(kind);
                continue;
            }
            explanation.push(finding.explanation.clone());
            // Its remedy unless one shown already says it (a yield's remedy ends with the
            // takeover's, but for its first letter; one naming the track script its lines do
            // not name says what one naming it does).
            let own = without_script_names(&finding.remedy);
            if !remedy
                .iter()
                .any(|shown| without_script_names(shown).contains(own.as_str()))
            {
                remedy.push(finding.remedy.clone());
            }
            shown.push(kind);
        }
    }
    // Each facet's words and node as shown, so that another node's facet of the same words is
    // said as the same on that node.
    // The lead's words and node are tried after them.
    let mut facets_shown: Vec<(&str, &str)> = Vec::new();
    let lead_shown = group[lead]
        .nodes
        .first()
        .map(|lead_node| (group[lead].explanation.as_str(), lead_node.as_str()));
    for facet in &facets {
        if facet.id != group[lead].id {
            let node = facet.nodes.first().map(String::as_str);
            let same_as_shown = node.and_then(|node| {
                facets_shown
                    .iter()
                    .chain(lead_shown.iter())
                    .find(|(words, shown_node)| {
                        *shown_node != node && facet.explanation.replace(node, shown_node) == *words
                    })
                    .map(|(_, shown_node)| (node, *shown_node))
            });
            if let Some((node, shown_node)) = same_as_shown {
                say_the_same_on(node, shown_node, facet, &mut explanation, &mut remedy);
                continue;
            }
            explanation.push(facet.explanation.clone());
            remedy.push(facet.remedy.clone());
            if let Some(node) = node {
                facets_shown.push((facet.explanation.as_str(), node));
            }
        }
    }
    // A finding of no transition whose lines the incident holds (a track script failing on the
    // node that took over, the takeover citing those lines) says what they mean: its words stay,
    // once; only a repeat of words shown already goes, and a split-brain's proof (the
    // incident's window says it, from every node's lines).
    for finding in &group {
        if finding.id != group[lead].id
            && finding.transitions.is_empty()
            && !rules.is_part_of_incident(&finding.rule)
            && !rules.proves_split_brain(&finding.rule)
            && !is_window(finding)
            && cause_finding.is_none_or(|cause| cause.id != finding.id)
            && !explanation.contains(&finding.explanation)
        {
            explanation.push(finding.explanation.clone());
            if !remedy.contains(&finding.remedy) {
                remedy.push(finding.remedy.clone());
            }
        }
    }
    // Another instance's split-brain window, and the node's other instances that moved with
    // the lead's.
    for finding in &group {
        if is_window(finding) && finding.id != group[lead].id {
            explanation.push(finding.explanation.clone());
        }
    }
    explanation.extend(moved_with(
        &group,
        &group[lead],
        cause_finding,
        transitions,
        time,
    ));
    folded.explanation = paragraphs(explanation);
    folded.remedy = paragraphs(remedy);
    for finding in &group {
        folded.severity = folded.severity.max(finding.severity);
        folded.start = match (folded.start, finding.start) {
            (Some(left), Some(right)) => Some(left.min(right)),
            (left, right) => left.or(right),
        };
        let finding_end = finding.end.or(finding.start);
        folded.end = match (folded.end, finding_end) {
            (Some(left), Some(right)) => Some(left.max(right)),
            (left, right) => left.or(right),
        };
        for node in &finding.nodes {
            if !folded.nodes.contains(node) {
                folded.nodes.push(node.clone());
            }
        }
        for key in &finding.advice {
            if !folded.advice.contains(key) {
                folded.advice.push(key.clone());
            }
        }
        for reference in &finding.references {
            if !folded.references.contains(reference) {
                folded.references.push(reference.clone());
            }
        }
        folded.evidence.extend(finding.evidence.iter().copied());
        if finding.id != folded.id {
            folded.merged.push(finding.id.clone());
        }
    }
    if folded.end == folded.start {
        folded.end = None;
    }
    folded.evidence.sort_unstable();
    folded.evidence.dedup();
    folded.transitions = all_transitions;
    windows.fold_into(split_brain, &folded.merged, &folded.id);
    folded
}

/// A finding of `node` whose words are those shown for `shown_node` but for the node's name:
/// `The same happened on NODE.`, and its remedy likewise where the shown one is the same.
fn say_the_same_on(
    node: &str,
    shown_node: &str,
    finding: &Finding,
    explanation: &mut Vec<String>,
    remedy: &mut Vec<String>,
) {
    explanation.push(format!("The same happened on {node}."));
    if remedy
        .iter()
        .any(|shown| *shown == finding.remedy.replace(node, shown_node))
    {
        remedy.push(format!("The same on {node}."));
    } else {
        remedy.push(finding.remedy.clone());
    }
}

/// How other instances moved in an incident: node, from, to, when, and the reason's words.
type MoveKey<'a> = (&'a str, Role, Role, String, String);

/// Sentences for the transitions of `group` on instances other than `lead`'s: `matrix also went
/// BACKUP → MASTER of INT at that moment (moved with its sync group).`, or `for the same reason`
/// where the rule is one whose text the finding already shows; a change not within a second of
/// the lead's (a yield later in the incident) says when.
fn moved_with(
    group: &[Finding],
    lead: &Finding,
    cause: Option<&Finding>,
    transitions: &[Failover],
    time: &dyn Fn(DateTime<Utc>) -> String,
) -> Vec<String> {
    // A split-brain window's finding has no transition of its own: the takeover that caused it
    // stands for it.
    let Some(lead_transition) = lead
        .transitions
        .first()
        .or_else(|| cause.and_then(|cause| cause.transitions.first()))
        .map(|index| &transitions[*index])
    else {
        return Vec::new();
    };
    let lead_instance = lead_transition.instance.as_str();
    // In the order of the transitions, as the title names them.
    let mut members: Vec<(usize, &Finding)> = group
        .iter()
        .filter_map(|finding| Some((*finding.transitions.first()?, finding)))
        .collect();
    members.sort_by_key(|(index, _)| (transitions[*index].time, *index));
    let shown = |rule: &str| rule == lead.rule || cause.is_some_and(|cause| cause.rule == rule);
    let mut moves: Vec<(MoveKey, Vec<&str>)> = Vec::new();
    for (index, finding) in members {
        let transition = &transitions[index];
        if transition.instance == lead_instance {
            continue;
        }
        // An unexplained change shares no reason with another: it only moved with it.
        let reason = if finding.cause.as_deref() == Some("unknown") {
            String::new()
        } else if shown(&finding.rule) {
            ", for the same reason".to_string()
        } else {
            format!(" ({})", lowercase_first(&finding.title))
        };
        // With the lead's change, or later in the incident (a yield after the takeover).
        let when = match (transition.time, lead_transition.time) {
            (Some(at), Some(lead_at)) if (at - lead_at).num_seconds().abs() <= MOVED_TOGETHER_S => {
                "at that moment".to_string()
            }
            (Some(at), _) => format!("at {}", time(at)),
            (None, _) => "in lines without a date".to_string(),
        };
        let key = (
            transition.node.as_str(),
            transition.from,
            transition.to,
            when,
            reason,
        );
        match moves.iter_mut().find(|(known, _)| *known == key) {
            Some((_, instances)) => {
                if !instances.contains(&transition.instance.as_str()) {
                    instances.push(&transition.instance);
                }
            }
            None => moves.push((key, vec![&transition.instance])),
        }
    }
    moves
        .into_iter()
        .map(|((node, from, to, when, reason), instances)| {
            let instances = match instances.split_last() {
                Some(_) if instances.len() > TITLE_TRANSITIONS => format!(
                    "{} and {} more",
                    instances[..TITLE_TRANSITIONS - 1].join(", "),
                    instances.len() - (TITLE_TRANSITIONS - 1)
                ),
                Some((last, rest)) if !rest.is_empty() => {
                    format!("{} and {last}", rest.join(", "))
                }
                _ => instances.join(""),
            };
            format!("{node} also went {from} → {to} of {instances} {when}{reason}.")
        })
        .collect()
}

/// A title as words inside a sentence: its first letter in lower case, unless the first word is
/// an acronym or a name (`FAULT with no reason`, a host `LB1`).
fn lowercase_first(title: &str) -> String {
    let mut characters = title.chars();
    match (characters.next(), characters.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(title.chars().skip(1)).collect()
        }
        _ => title.to_string(),
    }
}

/// Texts as paragraphs, each once, empty ones left out.
fn paragraphs(texts: Vec<String>) -> String {
    let mut kept: Vec<String> = Vec::new();
    for text in texts {
        let text = text.trim().to_string();
        if !text.is_empty() && !kept.contains(&text) {
            kept.push(text);
        }
    }
    kept.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::without_script_names;

    #[test]
    fn a_remedy_naming_its_script_says_what_one_that_cannot_name_it_says() {
        let named = "On a: run `chk_nginx` by hand (`journalctl -k`, `ip -s link`).";
        let unnamed = "On a: run the track script by hand (`journalctl -k`, `ip -s link`).";
        assert_eq!(without_script_names(named), without_script_names(unnamed));
        // Commands in backquotes are kept: two remedies that differ in one still differ.
        assert_ne!(
            without_script_names("On a: `ip -s link`."),
            without_script_names("On a: `journalctl -k`.")
        );
        assert_ne!(
            without_script_names("On a: run `chk_nginx`."),
            without_script_names("On b: run `chk_nginx`.")
        );
    }
}
