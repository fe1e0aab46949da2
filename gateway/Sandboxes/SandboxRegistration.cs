namespace Gateway.Sandboxes;

/// <summary>`POST /sandboxes` body, and one entry of <c>sandboxes.json</c> in the state directory.</summary>
/// <param name="Name">Sandbox name: lowercase letters, digits and '-'.</param>
/// <param name="Addresses">Source addresses the sandbox owns.</param>
/// <param name="Kits">Names of kits the sandbox was started with.</param>
/// <param name="Token">Optional proxy token (Proxy-Authorization: Basic name:token).</param>
internal sealed record SandboxRegistration(string Name, IReadOnlyList<string> Addresses, IReadOnlyList<string>? Kits, string? Token);
