import Foundation

/// One person in a retention analysis: how long they were followed (days from the program's start) and
/// whether that ended with their exit (`true`) or with the end of follow-up while still employed (censored).
public struct SurvivalSubject: Sendable, Hashable, Codable {
    public var time: Double
    public var exited: Bool
    public init(time: Double, exited: Bool) {
        self.time = time
        self.exited = exited
    }
}

/// The Kaplan–Meier estimate of retention, with Greenwood's variance and 95 % confidence bands on the
/// log(−log) scale (the "exponential Greenwood" interval, which stays inside 0…1; the same as Python's
/// lifelines). Pure computation on plain data.
public struct KaplanMeier: Sendable {
    public struct Step: Sendable, Hashable, Codable {
        /// Days from the start; the first step is time 0.
        public var time: Double
        /// People still followed just before `time`.
        public var atRisk: Int
        public var exits: Int
        public var censored: Int
        /// Retention S(t) just after `time`.
        public var survival: Double
        /// Greenwood's sum Σ d / (n (n − d)) up to `time` (the variance of log S is this).
        public var greenwood: Double
        public var lower: Double
        public var upper: Double
    }

    public let steps: [Step]

    /// z for a two-sided 95 % interval.
    public static let z95 = 1.959963984540054

    public init(_ subjects: [SurvivalSubject], z: Double = KaplanMeier.z95) {
        var byTime: [Double: (exits: Int, censored: Int)] = [:]
        for s in subjects {
            var entry = byTime[s.time] ?? (0, 0)
            if s.exited { entry.exits += 1 } else { entry.censored += 1 }
            byTime[s.time] = entry
        }
        var atRisk = subjects.count
        var survival = 1.0, greenwood = 0.0
        var steps: [Step] = []
        if byTime[0] == nil { steps.append(Step(time: 0, atRisk: atRisk, exits: 0, censored: 0, survival: 1, greenwood: 0, lower: 1, upper: 1)) }
        for time in byTime.keys.sorted() {
            let (d, c) = byTime[time]!
            if d > 0 {
                survival *= 1 - Double(d) / Double(atRisk)
                // Greenwood's term is infinite when everyone at risk exits: S is 0 and so is the band.
                greenwood += atRisk > d ? Double(d) / (Double(atRisk) * Double(atRisk - d)) : 0
            }
            let (lower, upper) = Self.band(survival: survival, greenwood: greenwood, z: z)
            steps.append(Step(time: time, atRisk: atRisk, exits: d, censored: c, survival: survival, greenwood: greenwood, lower: lower, upper: upper))
            atRisk -= d + c
        }
        self.steps = steps
    }

    /// exp(−exp(log(−log S) ± z √V / log S)): the interval for S on the log(−log) scale.
    static func band(survival s: Double, greenwood v: Double, z: Double) -> (Double, Double) {
        guard s > 0, s < 1 else { return (s, s) }
        let logS = log(s), spread = z * v.squareRoot() / logS
        return (exp(-exp(log(-logS) - spread)), exp(-exp(log(-logS) + spread)))
    }

    /// The step in force at `time` (retention "at 6 months").
    public func at(_ time: Double) -> Step? { steps.last { $0.time <= time } }
}

/// The log-rank test of two retention curves: the statistic (χ² with one degree of freedom) and its p-value.
public struct LogRank: Sendable, Hashable, Codable {
    public var statistic: Double
    public var pValue: Double
    public var observedA: Int
    public var expectedA: Double

    public init(_ a: [SurvivalSubject], _ b: [SurvivalSubject]) {
        // One sweep over both groups in time order: at each time, who is still at risk, who exits.
        let all = (a.map { ($0, true) } + b.map { ($0, false) }).sorted { $0.0.time < $1.0.time }
        var nA = a.count, nB = b.count
        var observed = 0, expected = 0.0, variance = 0.0
        var i = 0
        while i < all.count {
            let t = all[i].0.time
            var dA = 0, dB = 0, leftA = 0, leftB = 0
            while i < all.count, all[i].0.time == t {
                let (subject, inA) = all[i]
                if inA { leftA += 1; if subject.exited { dA += 1 } } else { leftB += 1; if subject.exited { dB += 1 } }
                i += 1
            }
            let n = Double(nA + nB), d = Double(dA + dB)
            if d > 0 {
                observed += dA
                expected += d * Double(nA) / n
                if n > 1 { variance += Double(nA) * Double(nB) * d * (n - d) / (n * n * (n - 1)) }
            }
            nA -= leftA
            nB -= leftB
        }
        observedA = observed
        expectedA = expected
        statistic = variance > 0 ? pow(Double(observed) - expected, 2) / variance : 0
        // The upper tail of χ² with one degree of freedom.
        pValue = variance > 0 ? erfc((statistic / 2).squareRoot()) : 1
    }
}
