using LoadDriver.Load;
using LoadDriver.Suite.Peers;

namespace LoadDriver.Suite.Scenarios;

/// <summary>What a scenario measures: a name, the route to the origin through it, and the peer process whose CPU is charged (none for direct).</summary>
internal sealed record Subject(string Name, Route Route, Peer? Peer)
{
    public const string Direct = "direct";

    public bool IsDirect => Peer is null;
}
