using Gateway.Dialing;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;

namespace Gateway.Interception;

/// <summary>
/// What the L4 middleware decided for a connection it terminated, handed to the HTTP handler
/// through the connection's items: who is asking, which host was decided and why, and the plan.
/// </summary>
/// <param name="Sandbox">The sandbox's name.</param>
/// <param name="Proxy">"forward" (CONNECT) or "transparent" (SNI), for the audit log.</param>
/// <param name="Decision">The connection's policy decision: allowed, or a denial report mode let through (see <see cref="Policy.PolicyEnforcement"/>).</param>
/// <param name="Plan">What to inject and which L7 rules apply.</param>
/// <param name="KitProxy">The route a kit of the sandbox sets (<c>network.proxy</c>), or null.</param>
internal sealed record InterceptionSession(string Sandbox, string Proxy, Decision Decision, InterceptionPlan Plan, KitProxy? KitProxy)
{
    /// <summary>The connection item under which the session is stored.</summary>
    public const string ItemKey = "gateway.interception";

    /// <summary>The permissions the decision grants the dial (invariant 5).</summary>
    public DialPermissions Permissions { get; } = DialPermissions.FromDecision(Decision);

    /// <summary>The session of the connection <paramref name="context"/> arrived on; null when it was not intercepted.</summary>
    public static InterceptionSession? Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out object? session) == true
            ? session as InterceptionSession
            : null;
}
