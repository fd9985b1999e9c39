import FlipsideCore
import Vapor

extension Request {
    /// Who is asking, as Core's policy sees them.
    var actor: Actor {
        auth.get(UserModel.self)?.actor ?? .anonymous
    }

    /// Asks `AccessPolicy` and turns a refusal into the answer the client gets: 401, 403 with the
    /// policy's reason, or 404 for what must stay hidden.
    func authorize(_ action: Action, _ resource: Resource, hiddenAs what: String = "Program") throws {
        let decision = AccessPolicy.decide(actor, action, resource)
        if !decision.isAllowed { throw APIError.from(decision, hiddenAs: what) }
    }
}

extension UserModel {
    /// This login as Core's policy sees it.
    var actor: Actor {
        switch userRole {
        case .coordinator: return .coordinator(employeeID: employeeID)
        case .participant: return .participant(employeeID: employeeID)
        }
    }
}
