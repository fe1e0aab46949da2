using System.Buffers;
using System.Collections.Concurrent;

namespace Benchmarks;

/// <summary>
/// A memory pool of pinned 4 KiB blocks that grows as needed and never drops a block: what
/// Kestrel's transport pool does, so the stand-in pipes allocate nothing once warm. The
/// default pipe pool (<c>ArrayPool&lt;byte&gt;.Shared</c>) holds only a few dozen arrays per size
/// per core and allocates past that, which a 1 MiB input pipe reaches: the harness, not the
/// relay, would then show allocations.
/// </summary>
internal sealed class BlockMemoryPool : MemoryPool<byte>
{
    private const int BlockSize = 4096;

    private readonly ConcurrentQueue<Block> _blocks = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        return _blocks.TryDequeue(out Block? block) ? block : new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(BlockMemoryPool pool) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        public void Dispose() => pool._blocks.Enqueue(this);
    }
}
