using System.Collections.Immutable;

namespace Gateway.Configuration;

/// <summary>
/// Where one credential value comes from, read at use time: the first listed environment
/// variable that is set and not empty, else the file. <paramref name="Literal"/> is only ever
/// set for a user name: secrets are never written in the configuration.
/// </summary>
/// <param name="Environment">Host environment variable names, tried in order.</param>
/// <param name="File">Absolute path of a file whose content (trailing newline removed) is the value.</param>
/// <param name="Literal">A user name written in the configuration.</param>
internal sealed record CredentialValueConfig(ImmutableArray<string> Environment, string? File, string? Literal);
