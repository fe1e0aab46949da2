using Gateway.Decisions;
using PolicyCompiler.Compilation;

namespace Gateway.Tests.Decisions;

/// <summary>
/// A test-only policy that fails for hosts containing <see cref="Trigger"/> and decides every
/// other host as the daemon does: a fault inside the decision, with the daemon still serving the rest.
/// </summary>
internal sealed class ThrowingLookup : IPolicyLookup
{
    public const string Trigger = "boom";

    private readonly SnapshotLookup _real = new();
    private int _thrown;

    /// <summary>How many decisions failed so far.</summary>
    public int Thrown => Volatile.Read(ref _thrown);

    public Decision Decide(PolicySnapshot snapshot, ReadOnlySpan<byte> host, int port, KitSet kits) =>
        host.IndexOf("boom"u8) >= 0 ? Throw() : _real.Decide(snapshot, host, port, kits);

    public Decision Decide(PolicySnapshot snapshot, ReadOnlySpan<char> host, int port, KitSet kits) =>
        host.IndexOf(Trigger, StringComparison.OrdinalIgnoreCase) >= 0 ? Throw() : _real.Decide(snapshot, host, port, kits);

    private Decision Throw()
    {
        Interlocked.Increment(ref _thrown);
        throw new InvalidOperationException("injected fault: the policy failed while deciding");
    }
}
