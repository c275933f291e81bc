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

use petgraph::graph::{DiGraph, NodeIndex, WalkNeighbors};

use crate::model::{NodeId, NodeKind, Script};

/// A script's graph: node `i` is the script's node `i`, an edge is an
/// exit. Walks see a node's edges in the order [`Node::exits`] lists them.
///
/// [`Node::exits`]: crate::model::Node::exits
pub type Graph = DiGraph<(), (), u32>;

/// A script's graph and the facts every check needs.
#[derive(Debug)]
pub struct ScriptGraph {
    pub graph: Graph,
    pub start: Option<NodeId>,
    /// Reachable from the start.
    pub reachable: Vec<bool>,
    /// Strongly connected components, sinks first (reverse topological).
    pub sccs: Sccs,
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
        // At most one edge per exit.
        let edges: usize = script.nodes.iter().map(|x| x.exit_count()).sum();
        let mut graph = DiGraph::with_capacity(n, edges);
        for _ in 0..n {
            graph.add_node(());
        }
        let mut out: Vec<NodeId> = Vec::new();
        for (i, node) in script.nodes.iter().enumerate() {
            // Only a handoff's fallback to a terminal is an edge; a
            // fallback to a step is `bad-fallback`.
            let handoff = matches!(node.kind, NodeKind::Handoff(_));
            out.clear();
            out.extend(
                (node.exits().filter_map(|t| t.node))
                    .filter(|&t| !handoff || script.nodes[t].is_terminal()),
            );
            // petgraph lists a node's edges newest first: add them in reverse
            // so that walks see them in source order.
            for &t in out.iter().rev() {
                graph.add_edge(ix(i), ix(t), ());
            }
        }

        ScriptGraph::from_graph(graph, script.start)
    }

    /// The facts of a graph whose node `i` is the script's node `i`.
    fn from_graph(graph: Graph, start: Option<NodeId>) -> ScriptGraph {
        let n = graph.node_count();
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

        let sccs = Sccs::of(&graph);
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

    /// Nodes from which some node in `goal` can be reached (including the
    /// goal nodes themselves).
    ///
    /// One pass over the components, sinks first, following each node's
    /// own edges: the members of a component reach the same nodes, and a
    /// component's successors are decided before it. (A walk back along
    /// incoming edges gives the same answer, but jumps about a large
    /// graph's memory.)
    pub fn can_reach(&self, goal: impl Fn(NodeId) -> bool) -> Vec<bool> {
        let mut component_reaches = Vec::with_capacity(self.sccs.len());
        for (c, members) in self.sccs.iter().enumerate() {
            let reaches = members.iter().any(|&v| {
                goal(v)
                    || self.successors(v).any(|w| {
                        let d = self.scc_of[w];
                        d != c && component_reaches[d]
                    })
            });
            component_reaches.push(reaches);
        }
        self.scc_of.iter().map(|&c| component_reaches[c]).collect()
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

/// The strongly connected components of a graph, sinks first (reverse
/// topological order), each with its nodes in increasing order; stored
/// flat, as one list of nodes and where each component starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sccs {
    nodes: Vec<NodeId>,
    /// Component `k` is `nodes[starts[k]..starts[k + 1]]`.
    starts: Vec<usize>,
}

impl Sccs {
    /// Tarjan's algorithm, iterative (a chain of 100,000 steps must not
    /// overflow the stack) and linear in nodes and edges.
    fn of(graph: &Graph) -> Sccs {
        let n = graph.node_count();
        let mut t = Tarjan {
            graph,
            index: vec![UNSEEN; n],
            low: vec![0; n],
            on_stack: vec![false; n],
            // Both hold at most every node: made at that size, they are
            // never copied as they grow (a chain of steps is a path as
            // deep as the script is long).
            stack: Vec::with_capacity(n),
            next: 0,
            path: Vec::with_capacity(n),
            sccs: Sccs {
                nodes: Vec::with_capacity(n),
                starts: vec![0],
            },
        };
        for root in 0..n {
            if t.index[root] != UNSEEN {
                continue;
            }
            t.enter(root);
            while let Some((v, neighbours)) = t.path.last_mut() {
                let v = *v as NodeId;
                match neighbours.next_node(graph).map(|w| w.index()) {
                    Some(w) if t.index[w] == UNSEEN => t.enter(w),
                    Some(w) => {
                        if t.on_stack[w] {
                            t.low[v] = t.low[v].min(t.index[w]);
                        }
                    }
                    None => t.leave(v),
                }
            }
        }
        t.sccs
    }

    /// How many components.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The nodes of component `k`, in increasing order.
    pub fn get(&self, k: usize) -> &[NodeId] {
        &self.nodes[self.starts[k]..self.starts[k + 1]]
    }

    /// Every component, sinks first.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[NodeId]> + '_ {
        self.starts.windows(2).map(|w| &self.nodes[w[0]..w[1]])
    }
}

/// (Indices are `u32`, as petgraph's are: half the memory of `usize`.)
const UNSEEN: u32 = u32::MAX;

/// The state of [`Sccs::of`]'s walk.
struct Tarjan<'g> {
    graph: &'g Graph,
    /// The order in which each node was first seen ([`UNSEEN`] if not yet).
    index: Vec<u32>,
    /// The least index reachable from the node's subtree, on the stack.
    low: Vec<u32>,
    on_stack: Vec<bool>,
    /// Nodes seen whose component is not complete yet.
    stack: Vec<NodeId>,
    next: u32,
    /// The depth-first path: each node (a `u32`, as petgraph numbers
    /// them) with the neighbours it has left, as petgraph's walker that
    /// holds no borrow (16 bytes a level, where the iterator took 40).
    path: Vec<(u32, WalkNeighbors<u32>)>,
    sccs: Sccs,
}

impl Tarjan<'_> {
    fn enter(&mut self, v: NodeId) {
        self.index[v] = self.next;
        self.low[v] = self.next;
        self.next += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
        self.path
            .push((v as u32, self.graph.neighbors(ix(v)).detach()));
    }

    /// `v` has no neighbour left: back to its parent, and if `v` is the
    /// root of its component, the component is complete.
    fn leave(&mut self, v: NodeId) {
        self.path.pop();
        if let Some(&(parent, _)) = self.path.last() {
            let parent = parent as NodeId;
            self.low[parent] = self.low[parent].min(self.low[v]);
        }
        if self.low[v] == self.index[v] {
            let start = self.sccs.nodes.len();
            while let Some(w) = self.stack.pop() {
                self.on_stack[w] = false;
                self.sccs.nodes.push(w);
                if w == v {
                    break;
                }
            }
            self.sccs.nodes[start..].sort_unstable();
            self.sccs.starts.push(self.sccs.nodes.len());
        }
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
        path.extend_from_slice(g.sccs.get(c));
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn graph(n: usize, edges: &[(usize, usize)]) -> Graph {
        let mut g = DiGraph::with_capacity(n, edges.len());
        for _ in 0..n {
            g.add_node(());
        }
        for &(a, b) in edges {
            g.add_edge(ix(a % n), ix(b % n), ());
        }
        g
    }

    /// The graph of the first script of `src` (whatever the findings),
    /// and its node names.
    fn script_graph(src: &str) -> (ScriptGraph, Vec<String>) {
        let (ast, _) = crate::syntax::parse(crate::source::FileId(0), src);
        let (program, _) = crate::model::build(vec![(crate::source::FileId(0), ast)]);
        let script = &program.scripts[0];
        let names = script.nodes.iter().map(|n| n.name.name.to_string());
        (ScriptGraph::new(script), names.collect())
    }

    #[test]
    fn walks_see_a_steps_exits_in_source_order_and_only_a_fallback_to_a_terminal() {
        let src = r#"script s "S" {
  step a 10s { say "?" otherwise -> d on "x" -> c on "y" -> nowhere on "z" -> b }
  step b 10s { say "." goto c }
  handoff c to r { say "." fallback b }
  handoff d to r { say "." fallback e }
  end e "done" { }
}"#;
        let (g, names) = script_graph(src);
        let out = |v: usize| -> Vec<&str> {
            (g.graph.neighbors(ix(v)))
                .map(|w| names[w.index()].as_str())
                .collect()
        };
        // The answers, then `otherwise`; an undefined target is no edge.
        assert_eq!(out(0), ["c", "b", "d"]);
        assert_eq!(out(1), ["c"]);
        // A fallback to a step is `bad-fallback`, not an edge.
        assert_eq!(out(2), Vec::<&str>::new());
        assert_eq!(out(3), ["e"]);
        assert_eq!(out(4), Vec::<&str>::new());
    }

    /// The components as petgraph's Kosaraju finds them, each sorted, in
    /// a canonical order.
    fn reference(g: &Graph) -> Vec<Vec<NodeId>> {
        let mut all: Vec<Vec<NodeId>> = petgraph::algo::kosaraju_scc(g)
            .into_iter()
            .map(|c| {
                let mut c: Vec<NodeId> = c.into_iter().map(|x| x.index()).collect();
                c.sort_unstable();
                c
            })
            .collect();
        all.sort();
        all
    }

    /// Up to 40 nodes and 120 edges (`graph` takes the ends modulo `n`).
    fn graphs() -> impl Strategy<Value = (usize, Vec<(usize, usize)>)> {
        (
            1usize..40,
            proptest::collection::vec((0usize..40, 0usize..40), 0..120),
        )
    }

    proptest! {
        #[test]
        fn sccs_are_petgraphs_sinks_first((n, edges) in graphs()) {
            let g = graph(n, &edges);
            let sccs = Sccs::of(&g);
            let mut found: Vec<Vec<NodeId>> = sccs.iter().map(<[NodeId]>::to_vec).collect();
            prop_assert!(found.iter().all(|c| c.is_sorted()));
            found.sort();
            prop_assert_eq!(found, reference(&g));
            // Sinks first: an edge between components goes to an earlier one.
            let mut of = vec![0; n];
            for (k, c) in sccs.iter().enumerate() {
                for &v in c {
                    of[v] = k;
                }
            }
            for e in g.edge_indices() {
                let (a, b) = g.edge_endpoints(e).unwrap();
                prop_assert!(of[a.index()] >= of[b.index()]);
            }
        }
    }

    /// Nodes from which a goal can be reached, walking back along incoming
    /// edges from the goals.
    fn reaching(g: &ScriptGraph, goal: &[bool]) -> Vec<bool> {
        let mut seen = goal.to_vec();
        let mut stack: Vec<NodeId> = (0..goal.len()).filter(|&v| goal[v]).collect();
        while let Some(v) = stack.pop() {
            for w in g
                .graph
                .neighbors_directed(ix(v), petgraph::Direction::Incoming)
                .map(|w| w.index())
            {
                if !seen[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        seen
    }

    proptest! {
        #[test]
        fn can_reach_is_the_walk_back_from_the_goals(
            (n, edges) in graphs(),
            goals in proptest::collection::vec(any::<bool>(), 40),
        ) {
            let g = ScriptGraph::from_graph(graph(n, &edges), Some(0));
            let goal = &goals[..n];
            prop_assert_eq!(g.can_reach(|v| goal[v]), reaching(&g, goal));
        }
    }

    #[test]
    fn a_long_chain_and_a_long_cycle_do_not_overflow_the_stack() {
        let n = 200_000;
        let chain: Vec<(usize, usize)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        let sccs = Sccs::of(&graph(n, &chain));
        assert_eq!(sccs.len(), n);
        // The sink, the chain's last node, comes first.
        assert_eq!(sccs.get(0), &[n - 1]);
        let mut cycle = chain;
        cycle.push((n - 1, 0));
        let sccs = Sccs::of(&graph(n, &cycle));
        assert_eq!(sccs.len(), 1);
        assert_eq!(sccs.get(0).len(), n);
    }
}
