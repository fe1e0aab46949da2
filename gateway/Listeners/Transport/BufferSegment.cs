using System.Buffers;

namespace Gateway.Listeners.Transport;

/// <summary>
/// One block of received or to-be-sent bytes, from <see cref="ArrayPool{T}.Shared"/>. The block is
/// rented only while it holds bytes and returned as soon as they are consumed; the segment object
/// itself is kept by its connection for the next block, so reading allocates nothing.
/// </summary>
internal sealed class BufferSegment : ReadOnlySequenceSegment<byte>
{
    /// <summary>The size of a block: Kestrel's own, enough for a request head or a TLS record's start.</summary>
    public const int BlockSize = 4096;

    private byte[]? _block;

    /// <summary>Bytes written into the block so far.</summary>
    public int End { get; private set; }

    /// <summary>The free part of the block.</summary>
    public Memory<byte> Available => _block.AsMemory(End);

    /// <summary>Takes a block of at least <paramref name="size"/> bytes.</summary>
    public void Rent(int size)
    {
        _block = ArrayPool<byte>.Shared.Rent(Math.Max(size, BlockSize));
        End = 0;
        Memory = default;
        RunningIndex = 0;
        Next = null;
    }

    /// <summary>Counts <paramref name="count"/> more bytes written into the block.</summary>
    public void Commit(int count)
    {
        End += count;
        Memory = _block.AsMemory(0, End);
    }

    /// <summary>Links <paramref name="next"/> after this one.</summary>
    public void Append(BufferSegment next)
    {
        next.RunningIndex = RunningIndex + End;
        Next = next;
    }

    /// <summary>Makes this the last segment again.</summary>
    public void Unlink() => Next = null;

    /// <summary>Gives the block back; the segment may be rented again.</summary>
    public void Release()
    {
        if (_block is not null)
        {
            ArrayPool<byte>.Shared.Return(_block);
            _block = null;
        }

        End = 0;
        Memory = default;
        Next = null;
    }
}
