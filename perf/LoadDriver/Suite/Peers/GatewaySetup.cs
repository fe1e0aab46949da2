namespace LoadDriver.Suite.Peers;

/// <summary>How one gateway instance of the suite is configured.</summary>
/// <param name="Name">Name in the report ("gateway", "gateway-100k").</param>
/// <param name="TransparentTls">Also listen for transparent TLS (S5).</param>
/// <param name="Socks5Port">Dial through a SOCKS5 proxy on this loopback port (S2), or 0.</param>
/// <param name="ExtraRules">Generated rules loaded besides the rule that allows the origin (S8).</param>
/// <param name="InterceptKit">Path of a kit that makes the gateway intercept and inject (S6), or null.</param>
internal sealed record GatewaySetup(string Name, bool TransparentTls = false, int Socks5Port = 0, int ExtraRules = 0, string? InterceptKit = null);
