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
        // Colour-marking walk: 0 = unvisited, 1 = on the current path, 2 = done.
        var state: [String: UInt8] = [:]
        var found: [[String]] = []
        for start in managerOf.keys.sorted() where state[start] == nil {
            var path: [String] = []
            var index: [String: Int] = [:]
            var current: String? = start
            while let node = current, state[node] == nil {
                state[node] = 1
                index[node] = path.count
                path.append(node)
                current = managerOf[node]
            }
            if let node = current, state[node] == 1, let at = index[node] {
                var cycle = Array(path[at...])
                let minIndex = cycle.indices.min { cycle[$0] < cycle[$1] }!
                cycle = Array(cycle[minIndex...] + cycle[..<minIndex])
                found.append(cycle)
            }
            for node in path { state[node] = 2 }
        }
        return found.sorted { $0.lexicographicallyPrecedes($1) }
    }
}
