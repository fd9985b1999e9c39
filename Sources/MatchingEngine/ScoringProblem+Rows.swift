import Dispatch

extension ScoringProblem {
    /// Every pair's score; forbidden pairs are −∞. Row by row: what a row's pairs share (the mentee's
    /// values, the goal coverage summed topic by topic over contiguous mentors) is read once, the rules
    /// that hold for whole rows (level, shared manager, channel) are checked inline, and the pairs a rule
    /// names one by one (reporting chains, exclusions, overrides, earlier pairs) are then scored by
    /// `score(mentee:mentor:)` itself. Every value is the one `score(mentee:mentor:)` gives, bit for bit:
    /// the same operations in the same order (see `theRowKernelGivesEveryPairItsOwnScore`).
    public func matrix() -> ScoreMatrix {
        let rows = mentees.count, cols = mentors.count
        var values = [Double](repeating: -.infinity, count: rows * cols)
        guard rows > 0, cols > 0 else { return ScoreMatrix(rows: rows, cols: cols, values: values) }
        let kernel = RowKernel(self)
        let chunks = Parallelism.chunks(large: rows >= 64)
        values.withUnsafeMutableBufferPointer { buffer in
            let box = SendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let scratch = RowKernel.Scratch(cols: cols)
                defer { scratch.release() }
                for i in stride(from: chunk, to: rows, by: chunks) {
                    kernel.fill(row: i, into: box.buffer.baseAddress! + i * cols, scratch)
                }
            }
        }
        return ScoreMatrix(rows: rows, cols: cols, values: values)
    }

    /// The mentors' values as flat buffers (read without copy-on-write or bounds checks in the loop over
    /// 10^8 pairs), and per mentee the mentors whose pair a rule names one by one.
    final class RowKernel: @unchecked Sendable {
        let problem: ScoringProblem
        let cols: Int
        let attributeCount: Int
        let level: UnsafeMutableBufferPointer<Int>
        let channels: UnsafeMutableBufferPointer<UInt8>
        let cadence: UnsafeMutableBufferPointer<Int>
        let offset: UnsafeMutableBufferPointer<Int>
        let manager: UnsafeMutableBufferPointer<Int32>
        let department: UnsafeMutableBufferPointer<Int32>
        let location: UnsafeMutableBufferPointer<Int32>
        let hours: UnsafeMutableBufferPointer<UInt32>
        /// How many hours each mentor is available (in UTC, 24 bits).
        let hoursCount: UnsafeMutableBufferPointer<UInt8>
        /// topic * mentors + mentor.
        let proficiency: UnsafeMutableBufferPointer<UInt8>
        /// attribute * mentors + mentor.
        let attributes: UnsafeMutableBufferPointer<Int32>
        /// Bits set in each 12-bit number (hours are 24 bits: two lookups; the build targets x86-64
        /// without `popcnt`).
        let bits12: UnsafeMutableBufferPointer<UInt8>
        /// The weighted components that do not depend on the row, as tables: perspective by number of
        /// differences (0 ... 2 + attributes), cadence fit by steps apart (0 ... 2), availability by
        /// common hours * 25 + the fewer hours of the two (0 ... 24 each).
        let perspective: UnsafeMutableBufferPointer<Double>
        let cadenceFit: UnsafeMutableBufferPointer<Double>
        let commonHours: UnsafeMutableBufferPointer<Double>
        /// Per mentee: the mentors in their reporting chain either way, and the pairs excluded,
        /// overridden or paired before.
        let irregular: [[Int32]]

        init(_ p: ScoringProblem) {
            problem = p
            let rows = p.mentees.count, cols = p.mentors.count
            self.cols = cols
            attributeCount = p.attribute.mentee.count
            func flat<T>(_ values: [T]) -> UnsafeMutableBufferPointer<T> {
                let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, values.count))
                _ = buffer.initialize(from: values)
                return buffer
            }
            level = flat(p.mentors.map(\.level))
            channels = flat(p.mentors.map(\.channels.rawValue))
            cadence = flat(p.mentors.map(\.cadence))
            offset = flat(p.mentors.map(\.utcOffsetMinutes))
            manager = flat(p.manager.mentor)
            department = flat(p.department.mentor)
            location = flat(p.location.mentor)
            hours = flat(p.utcHours.mentor)
            hoursCount = flat(p.utcHours.mentor.map { UInt8($0.nonzeroBitCount) })
            var byTopic = [UInt8](repeating: 0, count: p.topicCount * cols)
            for j in 0..<cols {
                for t in 0..<p.topicCount { byTopic[t * cols + j] = p.mentorProficiency[j * p.topicCount + t] }
            }
            proficiency = flat(byTopic)
            attributes = flat(p.attribute.mentor.flatMap { $0 })
            bits12 = flat((0..<4096).map { UInt8(($0 as Int).nonzeroBitCount) })
            let w = p.weights, attributes = p.attribute.mentee.count
            perspective = flat((0...(2 + attributes)).map { w[1] * ScoringProblem.perspective(differences: $0, attributes: attributes) })
            cadenceFit = flat((0...2).map { w[3] * ScoringProblem.cadenceFit(steps: $0) })
            commonHours = flat((0...24).flatMap { k in (0...24).map { m in m == 0 ? 0 : w[4] * ScoringProblem.hoursFit(common: k, fewer: m) } })
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

        deinit {
            level.deallocate(); channels.deallocate(); cadence.deallocate(); offset.deallocate(); manager.deallocate()
            department.deallocate(); location.deallocate(); hours.deallocate(); hoursCount.deallocate(); proficiency.deallocate()
            attributes.deallocate(); bits12.deallocate(); perspective.deallocate(); cadenceFit.deallocate(); commonHours.deallocate()
        }

        /// One worker's row buffers: the goal coverage of a row, and the tables that depend on the row.
        struct Scratch {
            let goal: UnsafeMutableBufferPointer<Double>
            /// Channel fit by the mentor's channels (any byte), weighted.
            let channelFit: UnsafeMutableBufferPointer<Double>
            /// Goal coverage's terms by proficiency (0 ... 5), for one want.
            let term: UnsafeMutableBufferPointer<Double>

            init(cols: Int) {
                goal = .allocate(capacity: cols)
                channelFit = .allocate(capacity: 256)
                term = .allocate(capacity: 6)
            }

            func release() { goal.deallocate(); channelFit.deallocate(); term.deallocate() }
        }

        /// Row `i` of the matrix into `out`. Each weighted component is looked up in a table of the same
        /// products (`weight * value`, each value from the function `componentValues` calls), so a pair
        /// costs one division (its goal's) instead of six.
        func fill(row i: Int, into out: UnsafeMutablePointer<Double>, _ scratch: Scratch) {
            let p = problem, cols = self.cols
            let w = (p.weights[0], p.weights[1], p.weights[2], p.weights[3], p.weights[4])
            // Goal coverage, topic by topic over contiguous mentors: for each mentor the same terms
            // (`priority * Double(proficiency) / 5`, proficiency 0–5) added in the same order.
            let goal = scratch.goal, term = scratch.term
            let sum = p.menteePrioritySum[i]
            goal.update(repeating: 0)
            if sum > 0 {
                for want in p.menteeWants[i] {
                    let base = proficiency.baseAddress! + Int(want.topic) * cols
                    for level in 0...5 { term[level] = ScoringProblem.goalTerm(priority: want.priority, proficiency: UInt8(level)) }
                    for j in 0..<cols { goal[j] += term[Int(base[j])] }
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
            let attributeCount = self.attributeCount
            let attributesI = (0..<attributeCount).map { p.attribute.mentee[$0][i] }
            let channelFit = scratch.channelFit
            for b in 0...255 { channelFit[b] = w.2 * ScoringProblem.channelFit(mentee: channelsI, mentor: UInt8(b)) }
            let hoursCountI = Int(bits12[Int(hoursI & 0xFFF)]) + Int(bits12[Int(hoursI >> 12) & 0xFFF])
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
                    availability = w.4 * ScoringProblem.offsetFit(minutes: abs(offsetI - offset[j]))
                }
                var total = 0.0
                total += w.0 * goal[j]
                total += perspective[differences]
                total += channelFit[Int(channelsJ)]
                total += cadenceFit[min(2, abs(cadenceI - cadence[j]))]
                total += availability
                out[j] = total
            }
            for j in irregular[i] { out[Int(j)] = p.score(mentee: i, mentor: Int(j)) ?? -.infinity }
        }
    }
}
