using Gateway.Dialing;
using Gateway.Interception;
using PolicyCompiler.Kits;

namespace Gateway.Decisions;

/// <summary>
/// What an allowed verdict lets the entry point do next: which addresses the dial may reach
/// beyond public ones, whether the connection is terminated (and what is injected and checked
/// per request), and the route a kit sets. Empty for a refusal.
/// </summary>
/// <param name="Permissions">What the deciding rule opens beyond public addresses (invariant 5).</param>
/// <param name="Interception">The interception plan, or null when the traffic is relayed untouched (invariant 3).</param>
/// <param name="KitProxy">The route a kit of the sandbox sets (<c>network.proxy</c>), or null for the gateway's own.</param>
internal readonly record struct EgressPlan(DialPermissions Permissions, InterceptionPlan? Interception, KitProxy? KitProxy);
