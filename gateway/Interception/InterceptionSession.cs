using Gateway.Decisions;
using Gateway.Dialing;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;

namespace Gateway.Interception;

/// <summary>
/// What the L4 middleware decided for a connection it terminated, handed to the HTTP handler
/// through the connection's items: the connection's verdict, whose plan says what to inject and
/// which L7 rules apply. Each request's own verdict starts from it.
/// </summary>
/// <param name="Verdict">The connection's verdict: allowed, or a denial report mode let through (see <see cref="Policy.PolicyEnforcement"/>).</param>
internal sealed record InterceptionSession(EgressVerdict Verdict)
{
    /// <summary>The connection item under which the session is stored.</summary>
    public const string ItemKey = "gateway.interception";

    /// <summary>The sandbox's name.</summary>
    public string Sandbox => Verdict.Sandbox.Name;

    /// <summary>"forward" (CONNECT) or "transparent" (SNI), for the audit log.</summary>
    public string Proxy => Verdict.Proxy;

    /// <summary>The connection's policy decision.</summary>
    public Decision Decision => Verdict.Decision;

    /// <summary>What to inject and which L7 rules apply.</summary>
    public InterceptionPlan Plan => Verdict.Plan.Interception!;

    /// <summary>The route a kit of the sandbox sets (<c>network.proxy</c>), or null.</summary>
    public KitProxy? KitProxy => Verdict.Plan.KitProxy;

    /// <summary>The permissions the decision grants the dial (invariant 5).</summary>
    public DialPermissions Permissions => Verdict.Permissions;

    /// <summary>The session of the connection <paramref name="context"/> arrived on; null when it was not intercepted.</summary>
    public static InterceptionSession? Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out object? session) == true
            ? session as InterceptionSession
            : null;
}
