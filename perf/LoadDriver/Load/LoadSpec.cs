namespace LoadDriver.Load;

/// <summary>What every request of a run does.</summary>
/// <param name="Route">How the origin is reached.</param>
/// <param name="Hosts">The host each request names.</param>
/// <param name="TunnelPerRequest">True: a new connection (and tunnel, and TLS session) per request; false: requests reuse their worker's connection.</param>
/// <param name="BodySize">Body bytes asked for and verified.</param>
/// <param name="ExpectHeader">A response header ("Name: value") every response must carry, or null.</param>
/// <param name="RequestTimeout">How long one request (connect included) may take before it counts as a timeout.</param>
internal sealed record LoadSpec(Route Route, HostSet Hosts, bool TunnelPerRequest, int BodySize, string? ExpectHeader, TimeSpan RequestTimeout);
