using PolicyCompiler.Kits;
using PolicyCompiler.Patterns;

namespace Gateway.Interception;

/// <summary>One <c>network.serviceDomains</c> entry of a kit: the hosts, the credential source, and how it is presented.</summary>
/// <param name="Kit">The kit that declares it.</param>
/// <param name="Pattern">The bound hosts.</param>
/// <param name="Source">Where the credential is read on the host.</param>
/// <param name="Auth">The header it becomes, or null when the source only backs proxy-managed placeholders.</param>
internal sealed record ServiceBinding(string Kit, RulePattern Pattern, KitCredentialSource Source, KitServiceAuth? Auth);
