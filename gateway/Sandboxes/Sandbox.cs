using System.Collections.Immutable;

namespace Gateway.Sandboxes;

/// <summary>A sandbox as the data path sees it: its name and the kits it was started with.</summary>
/// <param name="Name">The sandbox name; "host" for the gateway's own loopback clients.</param>
/// <param name="Kits">Names of its kits.</param>
internal sealed record Sandbox(string Name, ImmutableArray<string> Kits)
{
    /// <summary>Unregistered clients on loopback: the host itself, with no kits.</summary>
    public static Sandbox Host { get; } = new("host", []);
}
