import CanaryAPI
import Routers

extension ValidationContext {
    /// This context with every router's checks and fields (``RouterRegistry/validationRules``), as the
    /// operator builds it: without them validation runs the provider-neutral checks only.
    var routed: ValidationContext {
        var context = self
        context.routerRules = RouterRegistry.validationRules
        return context
    }
}
