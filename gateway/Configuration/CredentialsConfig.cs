using System.Collections.Frozen;

namespace Gateway.Configuration;

/// <summary>Credential sources on the host; values are read at use time and never copied into a sandbox.</summary>
/// <param name="Sources">Sources by name (ordinal).</param>
internal sealed record CredentialsConfig(FrozenDictionary<string, CredentialSourceConfig> Sources);
