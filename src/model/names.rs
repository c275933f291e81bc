//! [`NameIndex`]: a script's node names, looked up by every edge.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use super::NodeId;

/// Each node's id by name — the first node of a name — for the nodes of
/// one script, added in order.
///
/// Every edge of a script is resolved here, so a large script makes
/// hundreds of thousands of lookups at random places. A map from `&str`
/// would compare each name found with the definition's bytes in the
/// source, a cache miss of its own in a large file; here the table holds
/// only ids (4 bytes a node), and the names are copied one after another
/// into one string, a few bytes a node, which stay in the cache.
#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    /// The first node of each name, by the name's hash.
    table: HashTable<u32>,
    /// Every node's name, in node order, one after another.
    names: String,
    /// Where each node's name ends in `names`.
    ends: Vec<u32>,
}

fn hash(name: &str) -> u64 {
    FxBuildHasher.hash_one(name)
}

/// The name of node `id` in [`NameIndex::names`].
fn name_in<'a>(names: &'a str, ends: &[u32], id: u32) -> &'a str {
    let id = id as usize;
    let start = if id == 0 { 0 } else { ends[id - 1] as usize };
    &names[start..ends[id] as usize]
}

impl NameIndex {
    /// An index with room for `nodes` nodes (not a limit).
    pub(crate) fn with_capacity(nodes: usize) -> Self {
        NameIndex {
            table: HashTable::with_capacity(nodes),
            // Most names are short; the string grows if they are not.
            names: String::with_capacity(nodes * 8),
            ends: Vec::with_capacity(nodes),
        }
    }

    /// How many nodes have been added.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The name of node `id`.
    fn name(&self, id: u32) -> &str {
        name_in(&self.names, &self.ends, id)
    }

    /// Add the next node, named `name`. Returns the node that already has
    /// the name, if one does (the name still refers to that one).
    ///
    /// # Panics
    /// With more than `u32::MAX` nodes or bytes of names, which a source
    /// file (at most 4 GiB, [`crate::source::Span`]) cannot hold.
    pub(crate) fn push(&mut self, name: &str) -> Option<NodeId> {
        let id = u32::try_from(self.ends.len()).expect("a file has fewer than 2^32 nodes");
        self.names.push_str(name);
        let end = u32::try_from(self.names.len()).expect("a file has fewer than 2^32 bytes");
        self.ends.push(end);
        let (names, ends) = (&self.names, &self.ends);
        let name_of = |other: &u32| name_in(names, ends, *other);
        match self.table.entry(
            hash(name),
            |other| name_of(other) == name,
            |other| hash(name_of(other)),
        ) {
            hashbrown::hash_table::Entry::Occupied(first) => Some(*first.get() as NodeId),
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(id);
                None
            }
        }
    }

    /// The first node named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<NodeId> {
        self.table
            .find(hash(name), |&id| self.name(id) == name)
            .map(|&id| id as NodeId)
    }

    /// Every name, once, in the order of the nodes that define them.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len() as u32)
            .filter(|&id| self.get(self.name(id)) == Some(id as NodeId))
            .map(|id| self.name(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        /// The same answers as a map from each name to its first node.
        #[test]
        fn first_definition_wins(
            names in proptest::collection::vec("[a-cё_]{0,3}", 0..60),
            asked in proptest::collection::vec("[a-cё_]{0,3}", 0..20),
        ) {
            let mut index = NameIndex::default();
            let mut reference: HashMap<&str, NodeId> = HashMap::new();
            for (i, n) in names.iter().enumerate() {
                let first = reference.get(n.as_str()).copied();
                prop_assert_eq!(index.push(n), first);
                reference.entry(n).or_insert(i);
            }
            prop_assert_eq!(index.len(), names.len());
            for n in names.iter().chain(&asked) {
                prop_assert_eq!(index.get(n), reference.get(n.as_str()).copied());
            }
            let mut unique: Vec<&str> = reference.keys().copied().collect();
            unique.sort_by_key(|n| reference[n]);
            prop_assert_eq!(index.names().collect::<Vec<_>>(), unique);
        }
    }
}
