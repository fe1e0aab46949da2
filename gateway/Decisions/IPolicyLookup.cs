using PolicyCompiler.Compilation;

namespace Gateway.Decisions;

/// <summary>
/// The one call into the compiled policy that <see cref="EgressDecider"/> makes. A seam, not an
/// extension point: the daemon always uses <see cref="SnapshotLookup"/>; tests put a policy that
/// fails here to prove that a fault while deciding refuses (fail closed) on every path.
/// </summary>
internal interface IPolicyLookup
{
    /// <summary>Decides <paramref name="host"/> (UTF-8, as read off the wire) on <paramref name="port"/>.</summary>
    Decision Decide(PolicySnapshot snapshot, ReadOnlySpan<byte> host, int port, KitSet kits);

    /// <summary>Decides <paramref name="host"/> (as Kestrel parsed it) on <paramref name="port"/>.</summary>
    Decision Decide(PolicySnapshot snapshot, ReadOnlySpan<char> host, int port, KitSet kits);
}
