namespace Vmm.Admin;

/// <summary>The part of the gateway's <c>GET /status</c> vmm reads.</summary>
/// <param name="Listeners">Where each listener is bound; absent from gateways older than vmm.</param>
/// <param name="ConfidentialPaths">The gateway's state directory, configuration, audit log and credential files: hidden from sandboxes.</param>
internal sealed record GatewayStatus(GatewayListeners? Listeners, IReadOnlyList<string>? ConfidentialPaths = null);

/// <summary>Bound listener endpoints ("0.0.0.0:15443"), null when off.</summary>
internal sealed record GatewayListeners(string? Forward, string? TransparentHttp, string? TransparentTls, string? Dns, string? Metrics);

/// <summary><c>POST /sandboxes</c>: the gateway's registration contract.</summary>
internal sealed record GatewayRegistration(string Name, IReadOnlyList<string> Addresses, IReadOnlyList<string> Kits, string? Token);

/// <summary>The gateway's 400 answer: every problem, one line each.</summary>
internal sealed record GatewayErrors(IReadOnlyList<string>? Errors);

/// <summary><c>GET /sandboxes/NAME/environment</c>: the kits' literal variables and, per proxy-managed variable, the sandbox's placeholder.</summary>
internal sealed record GatewayEnvironment(Dictionary<string, string>? Variables, Dictionary<string, string>? ProxyManaged);
