import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import Testing

@Suite struct SuppressionTests {
    /// How far each count can be narrowed down by what is published whatever `protect` decides: the fixed
    /// counts (published elsewhere) and the zeros. A small count those pin down cannot be protected.
    static func baseline(_ table: LinkedCounts) -> [Int?] {
        let shown = table.values.indices.map { i -> Suppression.Shown in
            table.fixed.contains(i) || table.values[i] == 0 ? .value(table.values[i]) : .hidden(.withheld)
        }
        return Suppression.ranges(table, shown: shown).map { r in r.flatMap { r in r.upper.map { $0 - r.lower } } }
    }

    @Test func oneTableHidesSmallCountsAndWhatWouldGiveThemAway() {
        #expect(Suppression.parts([12, 30, 8]).parts.map(\.number) == [12, 30, 8])
        // One small part: the next smallest goes with it, so that 52 − 30 − 12 does not give 3 away; it says why.
        let one = Suppression.parts([3, 30, 12, 7])
        #expect(one.parts == [.hidden(.small), .value(30), .value(12), .hidden(.protects)] && one.total == .value(52))
        // Two small parts adding up to less than 5: a third goes with them.
        #expect(Suppression.parts([1, 3, 20, 9]).parts.map(\.number) == [nil, nil, 20, nil])
        // A zero exposes nobody and protects nothing: the small part is hidden with the 40, not with the 0.
        let zero = Suppression.parts([0, 2, 40])
        #expect(zero.parts == [.value(0), .hidden(.small), .hidden(.protects)] && zero.total == .value(42))
        // 2 beside 5: knowing the 5 is at least 5, the 2 would be 1 or 2: not enough, so the total goes too.
        let pinned = Suppression.parts([2, 5])
        #expect(pinned.parts == [.hidden(.small), .hidden(.protects)] && pinned.total == .hidden(.protects))
        // The same with a total published elsewhere (the pairs of a program): every part is withheld.
        let fixed = Suppression.parts([2, 5], total: .fixed)
        #expect(fixed.parts == [.hidden(.withheld), .hidden(.withheld)] && fixed.total == .value(7))
        // A small total: it is hidden itself.
        #expect(Suppression.parts([2, 1]).total.isHidden && Suppression.parts([0, 0]).total == .value(0))
        // Not published: only the small counts go.
        #expect(Suppression.parts([3, 30], total: .unpublished).parts == [.hidden(.small), .value(30)])
        #expect(Suppression.share(3, of: 40) == nil && Suppression.share(38, of: 40) == nil && Suppression.share(12, of: 40) == .value(12))
    }

    /// Core's audit (linear programming) gives the same bounds as trying every value, on random tables
    /// with margins, and `protect` leaves no hidden count narrower than it promises.
    @Test func theAuditAgreesWithTryingEveryValue() {
        var rng = SeededGenerator(seed: 11)
        var checked = 0
        for _ in 0..<150 {
            let rows = Int.random(in: 1...3, using: &rng), columns = Int.random(in: 1...4, using: &rng)
            var table = LinkedCounts()
            let cells = (0..<rows).map { _ in (0..<columns).map { _ in table.cell([0, 1, 2, 3, 4, 5, 6, 8, 11, 15].randomElement(using: &rng)!) } }
            // A row total may be published elsewhere (as a program's participants are), never when it is small.
            let rowTotals = cells.map { row in
                let total = row.reduce(0) { $0 + table.values[$1] }
                return table.cell(total, fixed: total >= Suppression.threshold && Bool.random(using: &rng))
            }
            for r in 0..<rows { table.sum(cells[r], is: rowTotals[r]) }
            let columnTotals = (0..<columns).map { c in table.cell(cells.reduce(0) { $0 + table.values[$1[c]] }) }
            for c in 0..<columns { table.sum(cells.map { $0[c] }, is: columnTotals[c]) }
            // The grand total is published (as everyone employed is), so every count is bounded by the sums alone.
            let everyone = rowTotals.reduce(0) { $0 + table.values[$1] }
            guard everyone >= Suppression.threshold else { continue }
            let grand = table.cell(everyone, fixed: true)
            table.sum(rowTotals, is: grand)
            table.sum(columnTotals, is: grand)
            let shown = Suppression.protect(table)
            let attacker = BruteForceAttacker(figures: shown, sums: table.sums, cap: table.values[grand])
            guard let truth = attacker.ranges() else { continue }
            checked += 1
            let audit = Suppression.ranges(table, shown: shown), baseline = Self.baseline(table)
            for i in shown.indices {
                // The true value is always among the possible ones.
                #expect(truth[i].contains(table.values[i]), "\(table.values) \(shown)")
                guard let reason = shown[i].hidden else { continue }
                #expect(audit[i]?.lower == truth[i].lowerBound && audit[i]?.upper == truth[i].upperBound,
                        "cell \(i): audit \(String(describing: audit[i])) against \(truth[i]) in \(table.values) \(shown)")
                // A small count, whatever its label, could be any of three values at least (unless the
                // figures published elsewhere pin it down already).
                if table.values[i] < Suppression.threshold, (baseline[i] ?? Int.max) >= Suppression.requiredSpread {
                    #expect(truth[i].count - 1 >= Suppression.requiredSpread, "cell \(i) \(reason): \(truth[i]) in \(table.values) \(shown)")
                }
            }
        }
        #expect(checked >= 120, "\(checked) tables checked")
    }

    /// The attack the issue describes: every program's page and the overview, read together. Random
    /// organisations and programs; an attacker who knows every published participation figure of every
    /// page and how they add up never pins a hidden count down.
    @Test func noHiddenCountFollowsFromEveryPageTogether() {
        var rng = SeededGenerator(seed: 23)
        var checked = 0, hiddenSeen = 0
        let departments = ["Engineering", "Finance", "Marketing", "Sales", "Support"]
        for round in 0..<150 {
            var organisation: [Employment] = []
            var programs: [(id: UUID, participants: [Employment])] = []
            let used = Array(departments.prefix(Int.random(in: 2...5, using: &rng)))
            var serial = 0
            func person(_ department: String) -> Employment {
                serial += 1
                return Employment(employeeID: "E\(round)-\(serial)", level: Int.random(in: 1...8, using: &rng), department: department, location: "Berlin",
                                  hireDate: CalendarDate(iso: "2020-01-01")!, status: .active, exitDate: nil)
            }
            for department in used { organisation += (0..<[1, 2, 3, 6, 9].randomElement(using: &rng)!).map { _ in person(department) } }
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                // A program takes from every department a few people (often fewer than 5).
                var participants: [Employment] = []
                for department in used {
                    let pool = organisation.filter { $0.department == department }
                    participants += pool.shuffled(using: &rng).prefix(Int.random(in: 0...min(pool.count, 6), using: &rng))
                }
                guard participants.count >= Suppression.threshold else { continue }
                programs.append((UUID(), participants))
            }
            guard !programs.isEmpty else { continue }
            let tables = ParticipationTables(programs: programs, organisation: organisation)
            // What the pages publish, by department: each program's column and total, the overview's, the organisation's.
            var figures: [Suppression.Shown] = [], truth: [Int] = [], counts: [Int] = [], fixed: Set<Int> = []
            var sums: [(parts: [Int], total: Int)] = []
            func figure(_ shown: Suppression.Shown, _ value: Int) -> Int {
                figures.append(shown)
                truth.append(value)
                return figures.count - 1
            }
            func count(_ people: [Employment], _ department: String) -> Int { people.filter { $0.department == department }.count }
            let overall = tables.overall[0]
            let values = overall.rows.map(\.value)
            let org = overall.rows.map { r in figure(r.organisation, count(organisation, r.value)) }
            counts += org
            let employed = figure(.value(overall.organisationTotal), organisation.count)
            fixed.insert(employed)
            sums.append((org, employed))
            var columns = Array(repeating: [Int](), count: values.count), totals: [Int] = []
            for program in programs {
                let page = tables.byProgram[program.id]![0]
                #expect(page.rows.map(\.value) == values && page.organisationTotal == overall.organisationTotal)
                // Every page shows the organisation's column the same way.
                #expect(page.rows.map(\.organisation) == overall.rows.map(\.organisation))
                let cells = page.rows.map { r in figure(r.participants, count(program.participants, r.value)) }
                counts += cells
                for v in values.indices { columns[v].append(cells[v]) }
                let total = figure(page.total, program.participants.count)
                fixed.insert(total)
                totals.append(total)
                sums.append((cells, total))
            }
            let overview = overall.rows.map { r in figure(r.participants, count(programs.flatMap(\.participants), r.value)) }
            counts += overview
            for v in values.indices { sums.append((columns[v], overview[v])) }
            let grand = figure(overall.total, programs.reduce(0) { $0 + $1.participants.count })
            fixed.insert(grand)
            sums.append((overview, grand))
            sums.append((totals, grand))
            for i in figures.indices { #expect(figures[i].number == nil || figures[i].number == truth[i]) }
            // Every count from 1 to 4 is hidden.
            for i in counts where truth[i] > 0 && truth[i] < Suppression.threshold { #expect(figures[i].isHidden, "a small count \(truth[i]) shown") }
            let places = programs.reduce(0) { $0 + $1.participants.count }
            var mirror = LinkedCounts()
            for i in truth.indices { mirror.cell(truth[i], fixed: fixed.contains(i)) }
            for s in sums { mirror.sum(s.parts, is: s.total) }
            let baseline = Self.baseline(mirror)
            guard let ranges = BruteForceAttacker(figures: figures, sums: sums, cap: max(organisation.count, places)).ranges() else { continue }
            checked += 1
            for i in figures.indices {
                #expect(ranges[i].contains(truth[i]))
                guard let reason = figures[i].hidden else { continue }
                hiddenSeen += 1
                guard truth[i] < Suppression.threshold, (baseline[i] ?? Int.max) >= Suppression.requiredSpread else { continue }
                #expect(ranges[i].count - 1 >= Suppression.requiredSpread,
                        "round \(round): a hidden \(reason) count (\(truth[i])) is pinned to \(ranges[i]) by every page together")
            }
        }
        #expect(checked >= 95 && hiddenSeen > 800, "\(checked) organisations checked, \(hiddenSeen) hidden counts")
    }
}
