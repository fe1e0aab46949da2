using PolicyCompiler.Compilation;

namespace Gateway.Decisions;

/// <summary>The daemon's <see cref="IPolicyLookup"/>: the snapshot's own allocation-free lookup.</summary>
internal sealed class SnapshotLookup : IPolicyLookup
{
    /// <inheritdoc/>
    public Decision Decide(PolicySnapshot snapshot, ReadOnlySpan<byte> host, int port, KitSet kits) => snapshot.Decide(host, port, kits);

    /// <inheritdoc/>
    public Decision Decide(PolicySnapshot snapshot, ReadOnlySpan<char> host, int port, KitSet kits) => snapshot.Decide(host, port, kits);
}
