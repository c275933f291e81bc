//! A script as a petgraph graph, and the analyses the checks share:
//! reachability from the start, reachability of a terminal, strongly
//! connected components, the worst-case talk time with its critical path,
//! and shortest witness paths.
//!
//! Node `i` of the graph is node `i` of the script (`NodeId`). Edges are
//! the resolved `on`, `otherwise`, `goto` and `fallback` targets; an
//! undefined target has no edge (it is reported by the model). Every
//! algorithm here is iterative and linear in the script's size, so a
//! script of 100,000 steps in a chain cannot overflow the stack.

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{NodeId, NodeKind, Script};

/// What kind of exit an edge is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    /// The `i`-th `on` answer.
    Option(usize),
    Otherwise,
    Goto,
    Fallback,
}

/// A script's graph and the facts every check needs.
#[derive(Debug)]
pub struct ScriptGraph {
    pub graph: DiGraph<(), Edge, u32>,
    pub start: Option<NodeId>,
    /// Reachable from the start.
    pub reachable: Vec<bool>,
    /// Strongly connected components, sinks first (reverse topological).
    pub sccs: Vec<Vec<NodeId>>,
    /// The component of each node: an index into `sccs`.
    pub scc_of: Vec<usize>,
    /// Whether each component is a cycle (more than one node, or a node
    /// with an edge to itself).
    pub cyclic: Vec<bool>,
}

fn ix(n: NodeId) -> NodeIndex<u32> {
    NodeIndex::new(n)
}

impl ScriptGraph {
    pub fn new(script: &Script<'_>) -> ScriptGraph {
        let n = script.nodes.len();
        let edges: usize = script.nodes.iter().map(|x| x.exits().count()).sum();
        let mut graph = DiGraph::with_capacity(n, edges);
        for _ in 0..n {
            graph.add_node(());
        }
        let mut out: Vec<(NodeId, Edge)> = Vec::new();
        for (i, node) in script.nodes.iter().enumerate() {
            // petgraph lists a node's edges newest first: add them in reverse
            // so that walks see them in source order.
            out.clear();
            match &node.kind {
                NodeKind::Step(s) => {
                    for (k, c) in s.options.iter().enumerate() {
                        out.extend(c.target.node.map(|t| (t, Edge::Option(k))));
                    }
                    out.extend(
                        s.otherwise
                            .as_ref()
                            .and_then(|t| t.node)
                            .map(|t| (t, Edge::Otherwise)),
                    );
                    out.extend(
                        s.goto
                            .as_ref()
                            .and_then(|t| t.node)
                            .map(|t| (t, Edge::Goto)),
                    );
                }
                NodeKind::Handoff(h) => {
                    // Only a fallback to a terminal is an edge; a fallback
                    // to a step is `bad-fallback`.
                    let to = h.fallback.as_ref().and_then(|t| t.node);
                    out.extend(
                        to.filter(|&t| script.nodes[t].is_terminal())
                            .map(|t| (t, Edge::Fallback)),
                    );
                }
                NodeKind::End(_) => {}
            }
            for &(t, e) in out.iter().rev() {
                graph.add_edge(ix(i), ix(t), e);
            }
        }

        let start = script.start;
        let mut reachable = vec![false; n];
        if let Some(s) = start {
            let mut stack = vec![s];
            reachable[s] = true;
            while let Some(v) = stack.pop() {
                for w in graph.neighbors(ix(v)) {
                    if !reachable[w.index()] {
                        reachable[w.index()] = true;
                        stack.push(w.index());
                    }
                }
            }
        }

        let sccs: Vec<Vec<NodeId>> = petgraph::algo::kosaraju_scc(&graph)
            .into_iter()
            .map(|c| {
                let mut c: Vec<NodeId> = c.into_iter().map(|x| x.index()).collect();
                c.sort_unstable();
                c
            })
            .collect();
        let mut scc_of = vec![0; n];
        for (k, c) in sccs.iter().enumerate() {
            for &v in c {
                scc_of[v] = k;
            }
        }
        let cyclic = sccs
            .iter()
            .map(|c| c.len() > 1 || graph.contains_edge(ix(c[0]), ix(c[0])))
            .collect();
        ScriptGraph {
            graph,
            start,
            reachable,
            sccs,
            scc_of,
            cyclic,
        }
    }

    /// The node's successors, in source order; a node reached by two exits
    /// appears twice.
    pub fn successors(&self, n: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.graph.neighbors(ix(n)).map(|w| w.index())
    }

    pub fn predecessors(&self, n: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.graph
            .neighbors_directed(ix(n), Direction::Incoming)
            .map(|w| w.index())
    }

    /// Nodes from which some node in `goal` can be reached (including the
    /// goal nodes themselves).
    pub fn can_reach(&self, goal: impl Fn(NodeId) -> bool) -> Vec<bool> {
        let n = self.reachable.len();
        let mut seen = vec![false; n];
        let mut stack: Vec<NodeId> = (0..n).filter(|&v| goal(v)).collect();
        for &v in &stack {
            seen[v] = true;
        }
        while let Some(v) = stack.pop() {
            for w in self.predecessors(v) {
                if !seen[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        seen
    }

    /// A shortest path from the start to a node satisfying `goal` that
    /// never enters a `blocked` node (the start itself may not be blocked;
    /// goal nodes are checked before they are blocked). The path lists
    /// every node, start and goal included.
    pub fn path_avoiding(
        &self,
        blocked: impl Fn(NodeId) -> bool,
        goal: impl Fn(NodeId) -> bool,
    ) -> Option<Vec<NodeId>> {
        let start = self.start?;
        self.path_from(start, blocked, goal)
    }

    /// As [`path_avoiding`](Self::path_avoiding), from any node.
    pub fn path_from(
        &self,
        start: NodeId,
        blocked: impl Fn(NodeId) -> bool,
        goal: impl Fn(NodeId) -> bool,
    ) -> Option<Vec<NodeId>> {
        if goal(start) {
            return Some(vec![start]);
        }
        if blocked(start) {
            return None;
        }
        let n = self.reachable.len();
        let mut parent: Vec<usize> = vec![usize::MAX; n];
        parent[start] = start;
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(v) = queue.pop_front() {
            for w in self.successors(v) {
                if parent[w] != usize::MAX {
                    continue;
                }
                parent[w] = v;
                if goal(w) {
                    let mut path = vec![w];
                    let mut cur = w;
                    while cur != start {
                        cur = parent[cur];
                        path.push(cur);
                    }
                    path.reverse();
                    return Some(path);
                }
                if !blocked(w) {
                    queue.push_back(w);
                }
            }
        }
        None
    }
}

/// Why a script's worst case cannot be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unbounded {
    /// The script has no start (no nodes, or an undefined `start`).
    NoStart,
    /// A reachable step has no (valid) duration.
    MissingDuration,
    /// A reachable cycle has a step without `max`.
    UnboundedLoop,
    /// No terminal can be reached from the start.
    NoTerminal,
}

/// The longest a call can talk before it reaches a terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorstCase {
    /// Seconds; saturates at `u64::MAX` rather than overflow.
    pub seconds: u64,
    /// The critical path: every node of every component on the longest
    /// path, in order from the start, ending at a terminal.
    pub path: Vec<NodeId>,
}

/// The worst-case talk time, as LANGUAGE.md defines it: each strongly
/// connected component is a block in which every step runs `max` times
/// (once outside a cycle); the worst case is the longest start-to-terminal
/// path through the condensed graph, summing step durations. Terminals add
/// nothing.
pub fn worst_case(script: &Script<'_>, g: &ScriptGraph) -> Result<WorstCase, Unbounded> {
    let start = g.start.ok_or(Unbounded::NoStart)?;
    // Every reachable step needs a duration, every reachable cycle a `max`.
    let mut weight: Vec<u128> = vec![0; g.sccs.len()];
    for (v, node) in script.nodes.iter().enumerate() {
        if !g.reachable[v] {
            continue;
        }
        if let NodeKind::Step(s) = &node.kind {
            let d = s.duration.ok_or(Unbounded::MissingDuration)?.value as u128;
            let c = g.scc_of[v];
            let times = if g.cyclic[c] {
                s.max.ok_or(Unbounded::UnboundedLoop)?.value as u128
            } else {
                1
            };
            weight[c] = weight[c].saturating_add(d.saturating_mul(times));
        }
    }
    // Longest weight from each component to a terminal, sinks first.
    const NONE: u128 = u128::MAX;
    let mut to_end: Vec<u128> = vec![NONE; g.sccs.len()];
    let mut next: Vec<usize> = vec![usize::MAX; g.sccs.len()];
    for (c, members) in g.sccs.iter().enumerate() {
        if script.nodes[members[0]].is_terminal() {
            to_end[c] = 0;
            continue;
        }
        let mut best = NONE;
        for &v in members {
            for w in g.successors(v) {
                let d = g.scc_of[w];
                if d != c && to_end[d] != NONE && (best == NONE || to_end[d] > best) {
                    best = to_end[d];
                    next[c] = d;
                }
            }
        }
        if best != NONE {
            to_end[c] = best.saturating_add(weight[c]).min(NONE - 1);
        }
    }
    let first = g.scc_of[start];
    if to_end[first] == NONE {
        return Err(Unbounded::NoTerminal);
    }
    let mut path = Vec::new();
    let mut c = first;
    loop {
        path.extend_from_slice(&g.sccs[c]);
        if next[c] == usize::MAX {
            break;
        }
        c = next[c];
    }
    Ok(WorstCase {
        seconds: u64::try_from(to_end[first]).unwrap_or(u64::MAX),
        path,
    })
}
