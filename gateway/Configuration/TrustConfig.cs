using System.Collections.Immutable;

namespace Gateway.Configuration;

/// <summary>Upstream TLS trust beyond the system store.</summary>
/// <param name="ExtraRootCAs">Absolute paths of PEM files whose certificates are trusted as roots.</param>
internal sealed record TrustConfig(ImmutableArray<string> ExtraRootCAs);
