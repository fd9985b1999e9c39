/// The reporting lines of an organisation, built from each person's manager id.
public struct ReportingTree: Sendable {
    /// employee id → manager's employee id.
    public let managerOf: [String: String]

    public init(managerOf: [String: String]) {
        self.managerOf = managerOf
    }

    public init<S: Sequence>(people: S) where S.Element == Person {
        var map: [String: String] = [:]
        for person in people {
            if let manager = person.managerID { map[person.employeeID] = manager }
        }
        self.managerOf = map
    }

    /// The chain of managers above `employeeID`, nearest first. Stops at a cycle rather than looping.
    public func managementChain(of employeeID: String) -> [String] {
        var chain: [String] = []
        var seen: Set<String> = [employeeID]
        var current = employeeID
        while let manager = managerOf[current], !seen.contains(manager) {
            chain.append(manager)
            seen.insert(manager)
            current = manager
        }
        return chain
    }

    /// Whether one of the two manages the other, directly or through any number of levels.
    public func inSameChain(_ a: String, _ b: String) -> Bool {
        managementChain(of: a).contains(b) || managementChain(of: b).contains(a)
    }

    /// Every reporting cycle, each as the list of employee ids on it (smallest id first), sorted.
    public func cycles() -> [[String]] {
        // People as numbers, each pointing at their manager's (−1: a manager with no manager of their own).
        let ids = Array(managerOf.keys)
        var position: [String: Int32] = [:]
        position.reserveCapacity(ids.count)
        for (index, id) in ids.enumerated() { position[id] = Int32(index) }
        return Self.cycles(ids: ids, next: ids.map { position[managerOf[$0]!] ?? -1 })
    }

    /// The cycles of people numbered by their place in `ids`, `next[i]` being the number of `ids[i]`'s
    /// manager (−1: none, or a manager with no manager of their own); as `cycles()`.
    public static func cycles(ids: [String], next: [Int32]) -> [[String]] {
        // Colour-marking walk: 0 = unvisited, 1 = on the current path, 2 = done. A cycle is the same
        // whichever of its people the walk starts from, so the order of the walks does not matter.
        var state = [UInt8](repeating: 0, count: ids.count)
        var found: [[String]] = []
        var path: [Int32] = []
        for start in ids.indices where state[start] == 0 {
            path.removeAll(keepingCapacity: true)
            var node = Int32(start)
            while node >= 0, state[Int(node)] == 0 {
                state[Int(node)] = 1
                path.append(node)
                node = next[Int(node)]
            }
            if node >= 0, state[Int(node)] == 1, let at = path.firstIndex(of: node) {
                let cycle = path[at...].map { ids[Int($0)] }
                let first = cycle.indices.min { cycle[$0] < cycle[$1] }!
                found.append(Array(cycle[first...] + cycle[..<first]))
            }
            for node in path { state[Int(node)] = 2 }
        }
        return found.sorted { $0.lexicographicallyPrecedes($1) }
    }
}
