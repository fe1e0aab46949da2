namespace Gateway.Sandboxes;

/// <summary>`POST /sandboxes` body, and one entry of <c>sandboxes.json</c> in the state directory.</summary>
/// <param name="Name">Sandbox name: lowercase letters, digits and '-'.</param>
/// <param name="Addresses">Source addresses the sandbox owns.</param>
/// <param name="Kits">Names of kits the sandbox was started with.</param>
/// <param name="Token">Optional proxy token (Proxy-Authorization: Basic name:token); in a registration only, never written to the file.</param>
/// <param name="TokenSha256">In the file: the hex SHA-256 of the Proxy-Authorization value the token makes (see <see cref="Sandbox.DigestOf"/>).</param>
internal sealed record SandboxRegistration(string Name, IReadOnlyList<string> Addresses, IReadOnlyList<string>? Kits, string? Token, string? TokenSha256 = null);
