import FlipsideCore
import Foundation

/// Charts drawn on the server as SVG: no JavaScript, each with a title and a description (and the page
/// shows the same figures as a table).
enum Charts {
    struct Step {
        var time: Double
        var survival: Double
        var lower: Double
        var upper: Double
    }

    struct Series {
        var name: String
        var colour: String
        var dash: String?
        var steps: [Step]
    }

    /// Retention curves (steps) with their 95 % bands, from day 0 to `days`, retention from `floor` to 1.
    /// `id` names the chart's title and description (two charts on a page need two).
    static func retention(_ series: [Series], days: Double, title: String, description: String, id: String = "chart") -> String {
        let width = 640.0, height = 320.0, left = 56.0, right = 16.0, top = 16.0, bottom = 40.0
        // The y axis starts at the lowest band rounded down to 10 %, and never above 80 % (when everyone
        // stayed, the axis still has a range).
        let floor = min(0.8, max(0, ((series.flatMap { $0.steps.map(\.lower) }.min() ?? 0) * 10).rounded(.down) / 10))
        let days = max(days, 1)
        let plotW = width - left - right, plotH = height - top - bottom
        func x(_ d: Double) -> Double { left + plotW * min(d, days) / max(days, 1) }
        func y(_ s: Double) -> Double { top + plotH * (1 - (s - floor) / max(1 - floor, 0.01)) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="\(id)-title \(id)-desc" class="chart">
        <title id="\(id)-title">\(escape(title))</title><desc id="\(id)-desc">\(escape(description))</desc>
        """
        // Axes and grid.
        for tick in stride(from: floor, through: 1.0001, by: (1 - floor) / 4) {
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\" stroke=\"#d0d4da\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\" font-size=\"12\" fill=\"#333\">\(Int((tick * 100).rounded())) %</text>"
        }
        let dayStep = days > 540 ? 180.0 : days > 180 ? 90.0 : 30.0
        for tick in stride(from: 0, through: days, by: dayStep) {
            svg += "<text x=\"\(f(x(tick)))\" y=\"\(f(height - bottom + 18))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">\(Int(tick))</text>"
        }
        svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 4))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">days since the program started</text>"
        for s in series where !s.steps.isEmpty {
            // The band: upper edge forwards, lower edge back.
            var upper = "", lower = ""
            for (i, step) in s.steps.enumerated() {
                let end = i + 1 < s.steps.count ? s.steps[i + 1].time : max(step.time, days)
                upper += "\(f(x(step.time))),\(f(y(step.upper))) \(f(x(end))),\(f(y(step.upper))) "
                lower = "\(f(x(end))),\(f(y(step.lower))) \(f(x(step.time))),\(f(y(step.lower))) " + lower
            }
            svg += "<polygon points=\"\(upper)\(lower)\" fill=\"\(s.colour)\" fill-opacity=\"0.15\" stroke=\"none\"/>"
            var line = ""
            for (i, step) in s.steps.enumerated() {
                let end = i + 1 < s.steps.count ? s.steps[i + 1].time : max(step.time, days)
                line += "\(f(x(step.time))),\(f(y(step.survival))) \(f(x(end))),\(f(y(step.survival))) "
            }
            svg += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"2.5\"\(s.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")><title>\(escape(s.name))</title></polyline>"
        }
        // Legend.
        for (i, s) in series.enumerated() {
            let ly = top + 14 + Double(i) * 18
            svg += "<line x1=\"\(f(width - right - 190))\" x2=\"\(f(width - right - 166))\" y1=\"\(f(ly - 4))\" y2=\"\(f(ly - 4))\" stroke=\"\(s.colour)\" stroke-width=\"2.5\"\(s.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>"
            svg += "<text x=\"\(f(width - right - 160))\" y=\"\(f(ly))\" font-size=\"12\" fill=\"#222\">\(escape(s.name))</text>"
        }
        return svg + "</svg>"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension Charts {
    struct Bar {
        var series: Int
        /// `nil`: not shown (suppressed); the table says why.
        var value: Double?
        var lower: Double? = nil
        var upper: Double? = nil
    }

    struct BarGroup {
        var label: String
        var bars: [Bar]
    }

    /// Horizontal bars, one group per category and one bar per series in it, with optional 95 %
    /// interval whiskers; values from 0 to `maximum`, labelled by `format`. A suppressed value draws no
    /// bar but says so at its place.
    static func bars(_ groups: [BarGroup], series: [String], maximum: Double, format: (Double) -> String, axis: String,
                     title: String, description: String, id: String) -> String {
        let colours = ["#1f5fa8", "#a8431f", "#4d4d4d", "#2e7d32"]
        // The label column fits the longest label (about 7 px a character at 12 px), within reason.
        let longest = Double(groups.map(\.label.count).max() ?? 0)
        let barH = 14.0, gap = 3.0, groupGap = 12.0, left = min(280, max(120, 7 * longest + 16)), right = 70.0, top = 8.0, width = 640.0 + max(0, left - 170)
        let legendH = series.count > 1 ? 22.0 : 0
        let groupH = Double(max(series.count, 1)) * (barH + gap) - gap
        let plotH = Double(groups.count) * (groupH + groupGap)
        let height = top + legendH + plotH + 30
        let plotW = width - left - right
        let maximum = max(maximum, 0.000_001)
        func x(_ v: Double) -> Double { left + plotW * min(max(v, 0), maximum) / maximum }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="\(id)-title \(id)-desc" class="chart">
        <title id="\(id)-title">\(escape(title))</title><desc id="\(id)-desc">\(escape(description))</desc>
        """
        if series.count > 1 {
            var lx = left
            for (i, name) in series.enumerated() {
                svg += "<rect x=\"\(f(lx))\" y=\"\(f(top))\" width=\"12\" height=\"12\" fill=\"\(colours[i % colours.count])\"/>"
                svg += "<text x=\"\(f(lx + 16))\" y=\"\(f(top + 10))\" font-size=\"12\" fill=\"#222\">\(escape(name))</text>"
                lx += 24 + Double(name.count) * 6.5
            }
        }
        let plotTop = top + legendH
        for tick in 0...4 {
            let v = maximum * Double(tick) / 4
            svg += "<line x1=\"\(f(x(v)))\" x2=\"\(f(x(v)))\" y1=\"\(f(plotTop))\" y2=\"\(f(plotTop + plotH))\" stroke=\"#d0d4da\"/>"
            svg += "<text x=\"\(f(x(v)))\" y=\"\(f(plotTop + plotH + 14))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">\(escape(format(v)))</text>"
        }
        svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 2))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">\(escape(axis))</text>"
        for (g, group) in groups.enumerated() {
            let gy = plotTop + Double(g) * (groupH + groupGap) + groupGap / 2
            svg += "<text x=\"\(f(left - 8))\" y=\"\(f(gy + groupH / 2 + 4))\" text-anchor=\"end\" font-size=\"12\" fill=\"#222\">\(escape(group.label))</text>"
            for bar in group.bars {
                let by = gy + Double(bar.series) * (barH + gap)
                let colour = colours[bar.series % colours.count]
                let name = bar.series < series.count ? series[bar.series] : ""
                guard let value = bar.value else {
                    svg += "<text x=\"\(f(left + 4))\" y=\"\(f(by + barH - 3))\" font-size=\"11\" fill=\"#444\">not shown (see the table)</text>"
                    continue
                }
                svg += "<rect x=\"\(f(left))\" y=\"\(f(by))\" width=\"\(f(x(value) - left))\" height=\"\(f(barH))\" fill=\"\(colour)\"><title>\(escape("\(group.label) · \(name): \(format(value))"))</title></rect>"
                if let lower = bar.lower, let upper = bar.upper {
                    let mid = by + barH / 2
                    svg += "<path d=\"M\(f(x(lower))) \(f(mid))H\(f(x(upper)))M\(f(x(lower))) \(f(mid - 4))V\(f(mid + 4))M\(f(x(upper))) \(f(mid - 4))V\(f(mid + 4))\" stroke=\"#111\" stroke-width=\"1.5\" fill=\"none\"/>"
                }
                svg += "<text x=\"\(f(x(max(value, bar.upper ?? value)) + 6))\" y=\"\(f(by + barH - 3))\" font-size=\"11\" fill=\"#222\">\(escape(format(value)))</text>"
            }
        }
        return svg + "</svg>"
    }
}
