import Dispatch

extension ScoringProblem {
    /// Every pair's score; forbidden pairs are −∞. Row by row: what a row's pairs share (the mentee's
    /// values, the goal coverage summed topic by topic over contiguous mentors) is read once, the rules
    /// that hold for whole rows (level, shared manager, channel) are checked inline, and the pairs a rule
    /// names one by one (reporting chains, exclusions, overrides, earlier pairs) are then scored by
    /// `score(mentee:mentor:)` itself. Every value is the one `score(mentee:mentor:)` gives, bit for bit:
    /// the same operations in the same order (see `matrixAgreesWithPairByPairScores`).
    public func matrix() -> ScoreMatrix {
        let rows = mentees.count, cols = mentors.count
        var values = [Double](repeating: -.infinity, count: rows * cols)
        guard rows > 0, cols > 0 else { return ScoreMatrix(rows: rows, cols: cols, values: values) }
        let kernel = RowKernel(self)
        let chunks = Parallelism.chunks(large: rows >= 64)
        values.withUnsafeMutableBufferPointer { buffer in
            let box = SendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let goal = UnsafeMutableBufferPointer<Double>.allocate(capacity: cols)
                defer { goal.deallocate() }
                for i in stride(from: chunk, to: rows, by: chunks) {
                    kernel.fill(row: i, into: box.buffer.baseAddress! + i * cols, goal: goal)
                }
            }
        }
        return ScoreMatrix(rows: rows, cols: cols, values: values)
    }

    /// The mentors' values flat, and per mentee the mentors whose pair a rule names one by one.
    struct RowKernel: Sendable {
        let problem: ScoringProblem
        let level: [Int]
        let channels: [UInt8]
        let cadence: [Int]
        let offset: [Int]
        /// Hours each mentor is available (in UTC, 24 bits): how many.
        let hoursCount: [UInt8]
        /// topic * mentors + mentor.
        let proficiency: [UInt8]
        /// attribute * mentors + mentor.
        let attributes: [Int32]
        /// Per mentee: the mentors in their reporting chain either way, and the pairs excluded,
        /// overridden or paired before.
        let irregular: [[Int32]]

        init(_ p: ScoringProblem) {
            problem = p
            let rows = p.mentees.count, cols = p.mentors.count
            level = p.mentors.map(\.level)
            channels = p.mentors.map(\.channels.rawValue)
            cadence = p.mentors.map(\.cadence)
            offset = p.mentors.map(\.utcOffsetMinutes)
            hoursCount = p.utcHours.mentor.map { UInt8($0.nonzeroBitCount) }
            var proficiency = [UInt8](repeating: 0, count: p.topicCount * cols)
            for j in 0..<cols {
                for t in 0..<p.topicCount { proficiency[t * cols + j] = p.mentorProficiency[j * p.topicCount + t] }
            }
            self.proficiency = proficiency
            attributes = p.attribute.mentor.flatMap { $0 }
            var irregular = [[Int32]](repeating: [], count: rows)
            var mentorsOfPerson: [Int32: [Int32]] = [:]
            for j in 0..<cols where p.personID.mentor[j] >= 0 { mentorsOfPerson[p.personID.mentor[j], default: []].append(Int32(j)) }
            var chainsHolding: [Int32: [Int32]] = [:]     // person -> mentors with that person in their chain
            for j in 0..<cols { for id in Set(p.chain.mentor[j]) { chainsHolding[id, default: []].append(Int32(j)) } }
            for i in 0..<rows {
                for id in p.chain.mentee[i] { irregular[i] += mentorsOfPerson[id] ?? [] }
                if p.personID.mentee[i] >= 0 { irregular[i] += chainsHolding[p.personID.mentee[i]] ?? [] }
            }
            for key in p.excluded.union(p.pairedBefore).union(p.overridden.keys) { irregular[key / cols].append(Int32(key % cols)) }
            self.irregular = irregular
        }

        /// Bits set in each 12-bit number (hours are 24 bits: two lookups; the build targets CPUs without `popcnt`).
        static let bits12: [UInt8] = (0..<4096).map { UInt8(($0 as Int).nonzeroBitCount) }

        /// Row `i` of the matrix into `out` (`goal`: scratch for the row's goal coverage). Each weighted
        /// component is looked up in a table of the same products (`weight * value`, each value computed as
        /// `componentValues` computes it), so a pair costs one division (its goal's) instead of six.
        func fill(row i: Int, into out: UnsafeMutablePointer<Double>, goal: UnsafeMutableBufferPointer<Double>) {
            let p = problem, cols = p.mentors.count
            let w = (p.weights[0], p.weights[1], p.weights[2], p.weights[3], p.weights[4])
            // Goal coverage, topic by topic over contiguous mentors: for each mentor the same terms
            // (`priority * Double(proficiency) / 5`, proficiency 0–5) added in the same order.
            let sum = p.menteePrioritySum[i]
            goal.update(repeating: 0)
            if sum > 0 {
                proficiency.withUnsafeBufferPointer { prof in
                    for want in p.menteeWants[i] {
                        let base = Int(want.topic) * cols, priority = want.priority
                        let term = (0...5).map { priority * Double($0) / 5 }
                        term.withUnsafeBufferPointer { term in
                            for j in 0..<cols { goal[j] += term[Int(prof[base + j])] }
                        }
                    }
                }
                for j in 0..<cols { goal[j] /= sum }
            }
            let mentee = p.mentees[i]
            let levelI = mentee.level, gap = p.rules.minLevelGap
            let managerI = p.manager.mentee[i], forbidShared = p.rules.forbidSharedManager && managerI >= 0
            let requireChannel = p.rules.requireCommonChannel
            let channelsI = mentee.channels.rawValue
            let cadenceI = mentee.cadence, hoursI = p.utcHours.mentee[i], offsetI = mentee.utcOffsetMinutes
            let departmentI = p.department.mentee[i], locationI = p.location.mentee[i]
            let attributeCount = p.attribute.mentee.count
            let attributesI = (0..<attributeCount).map { p.attribute.mentee[$0][i] }
            let checks = 2.0 + Double(attributeCount)
            // The weighted components as tables: perspective by differences, channel fit by the mentor's
            // channels, cadence by steps apart, availability by common hours and the fewer of the two.
            let perspective = (0...(2 + attributeCount)).map { w.1 * (Double($0) / checks) }
            let channelFit = (0...255).map { (b: Int) -> Double in
                w.2 * (channelsI == 0 ? 0 : Double((channelsI & UInt8(b)).nonzeroBitCount) / Double(channelsI.nonzeroBitCount))
            }
            let cadenceFit = [w.3 * 1.0, w.3 * 0.5, w.3 * 0.0]
            let hoursCountI = Int(Self.bits12[Int(hoursI & 0xFFF)]) + Int(Self.bits12[Int(hoursI >> 12) & 0xFFF])
            let commonHours = hoursI == 0 ? [] : (0...24).flatMap { k in (0...24).map { m in m == 0 ? 0 : w.4 * (Double(k) / Double(m)) } }
            level.withUnsafeBufferPointer { level in
            channels.withUnsafeBufferPointer { channels in
            cadence.withUnsafeBufferPointer { cadence in
            offset.withUnsafeBufferPointer { offset in
            attributes.withUnsafeBufferPointer { attributes in
            p.manager.mentor.withUnsafeBufferPointer { manager in
            p.department.mentor.withUnsafeBufferPointer { department in
            p.location.mentor.withUnsafeBufferPointer { location in
            p.utcHours.mentor.withUnsafeBufferPointer { hours in
            hoursCount.withUnsafeBufferPointer { hoursCount in
            Self.bits12.withUnsafeBufferPointer { bits12 in
            perspective.withUnsafeBufferPointer { perspective in
            channelFit.withUnsafeBufferPointer { channelFit in
            cadenceFit.withUnsafeBufferPointer { cadenceFit in
            commonHours.withUnsafeBufferPointer { commonHours in
                for j in 0..<cols {
                    let channelsJ = channels[j]
                    if levelI - level[j] < gap || (forbidShared && managerI == manager[j]) || (requireChannel && channelsI & channelsJ == 0) {
                        out[j] = -.infinity
                        continue
                    }
                    var differences = 0
                    if departmentI != department[j] { differences += 1 }
                    if locationI != location[j] { differences += 1 }
                    for a in 0..<attributeCount {
                        let x = attributesI[a], y = attributes[a * cols + j]
                        if x >= 0 && y >= 0 && x != y { differences += 1 }
                    }
                    let b = hours[j]
                    let availability: Double
                    if hoursI != 0 && b != 0 {
                        let both = hoursI & b
                        let common = Int(bits12[Int(both & 0xFFF)]) + Int(bits12[Int(both >> 12) & 0xFFF])
                        availability = commonHours[common * 25 + min(hoursCountI, Int(hoursCount[j]))]
                    } else {
                        availability = w.4 * (1 - min(Double(abs(offsetI - offset[j])) / 60, 12) / 12)
                    }
                    var total = 0.0
                    total += w.0 * goal[j]
                    total += perspective[differences]
                    total += channelFit[Int(channelsJ)]
                    total += cadenceFit[min(2, abs(cadenceI - cadence[j]))]
                    total += availability
                    out[j] = total
                }
            } } } } } } } } } } } } } } }
            for j in irregular[i] { out[Int(j)] = p.score(mentee: i, mentor: Int(j)) ?? -.infinity }
        }
    }
}
