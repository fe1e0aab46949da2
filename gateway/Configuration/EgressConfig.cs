using System.Collections.Immutable;
using System.Net;

namespace Gateway.Configuration;

/// <summary>Opens ranges the egress guard refuses by default (loopback, private, link-local, metadata …).</summary>
/// <param name="AllowCidrs">Ranges an allowed name may resolve to even though they are normally refused.</param>
internal sealed record EgressConfig(ImmutableArray<IPNetwork> AllowCidrs);
