using System.Collections.Frozen;
using System.Net;

namespace Gateway.Configuration;

/// <summary>Static answers consulted before DNS, like /etc/hosts.</summary>
/// <param name="Hosts">Canonical host name (lower case, punycode, no trailing dot) to address.</param>
internal sealed record ResolveConfig(FrozenDictionary<string, IPAddress> Hosts);
