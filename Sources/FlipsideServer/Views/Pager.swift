/// One page of a long list on a web page (mentors, mentees, pairs): which page it is, and the links to
/// the pages either side. The list is cut on the server, so a program of thousands renders 50 rows.
struct Pager: Encodable, Sendable {
    /// The page shown, from 1.
    var number: Int
    /// How many pages there are (at least 1).
    var count: Int
    /// How many rows in all.
    var total: Int
    var previousURL: String?
    var nextURL: String?

    /// The first row of the page, counted from 0.
    var offset: Int

    static let rows = 50

    /// Page `requested` of `total` rows (1 when absent; out of range is the nearest page), the links
    /// made by `url(page)`.
    init(_ requested: Int?, total: Int, per: Int = Pager.rows, url: (Int) -> String) {
        self.total = total
        count = max(1, (total + per - 1) / per)
        number = min(max(requested ?? 1, 1), count)
        offset = (number - 1) * per
        previousURL = number > 1 ? url(number - 1) : nil
        nextURL = number < count ? url(number + 1) : nil
    }

    /// Page `requested` of `items`.
    static func page<T>(_ items: [T], _ requested: Int?, url: (Int) -> String) -> (rows: [T], pager: Pager) {
        let pager = Pager(requested, total: items.count, url: url)
        return (Array(items[pager.offset..<min(items.count, pager.offset + rows)]), pager)
    }
}
