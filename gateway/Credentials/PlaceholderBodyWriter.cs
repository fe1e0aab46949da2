using System.Buffers;

namespace Gateway.Credentials;

/// <summary>
/// A write-only stream between a request body and the upstream connection that replaces every
/// placeholder of <paramref name="placeholders"/> with its real value as the body streams by. It holds
/// back at most the longest placeholder's length minus one byte between writes (the bounded window),
/// so a placeholder split across reads, chunks or DATA frames is still found, and the body is never
/// buffered whole. <see cref="FinishAsync"/> writes what was held back once the body has ended.
/// </summary>
internal sealed class PlaceholderBodyWriter(Stream destination, IReadOnlyList<BodyPlaceholder> placeholders) : Stream
{
    private readonly int _window = Longest(placeholders) - 1;
    private byte[] _work = [];
    private int _held;

    /// <summary>Placeholders replaced so far.</summary>
    public int Replaced { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        // The held-back tail and the new bytes, contiguous, so a placeholder across the seam is seen whole.
        int length = _held + buffer.Length;
        if (_work.Length < length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(length, 16 * 1024));
            _work.AsSpan(0, _held).CopyTo(larger);
            Return();
            _work = larger;
        }

        buffer.Span.CopyTo(_work.AsSpan(_held));
        int at = 0;
        while (true)
        {
            (int match, int which) = FindFirst(_work.AsSpan(at, length - at));
            if (match < 0)
            {
                break;
            }

            await destination.WriteAsync(_work.AsMemory(at, match), cancellationToken).ConfigureAwait(false);
            await destination.WriteAsync(placeholders[which].Secret, cancellationToken).ConfigureAwait(false);
            Replaced++;
            at += match + placeholders[which].Placeholder.Length;
        }

        // What may still begin a placeholder whose rest has not arrived stays behind.
        int safe = Math.Max(at, length - _window);
        await destination.WriteAsync(_work.AsMemory(at, safe - at), cancellationToken).ConfigureAwait(false);
        _held = length - safe;
        _work.AsSpan(safe, _held).CopyTo(_work);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("request bodies are written asynchronously");

    /// <summary>The body has ended: writes the bytes held back (no placeholder can complete any more).</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        if (_held > 0)
        {
            await destination.WriteAsync(_work.AsMemory(0, _held), cancellationToken).ConfigureAwait(false);
            _held = 0;
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => destination.FlushAsync(cancellationToken);

    public override void Flush() => destination.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Return();
        base.Dispose(disposing);
    }

    private static int Longest(IReadOnlyList<BodyPlaceholder> placeholders)
    {
        int longest = 1;
        for (int i = 0; i < placeholders.Count; i++)
        {
            longest = Math.Max(longest, placeholders[i].Placeholder.Length);
        }

        return longest;
    }

    // The earliest placeholder in span: (offset, index) or (-1, -1).
    private (int Match, int Which) FindFirst(ReadOnlySpan<byte> span)
    {
        int match = -1, which = -1;
        for (int i = 0; i < placeholders.Count; i++)
        {
            ReadOnlySpan<byte> search = match < 0 ? span : span[..Math.Min(span.Length, match + placeholders[i].Placeholder.Length - 1)];
            int found = search.IndexOf(placeholders[i].Placeholder);
            if (found >= 0 && (match < 0 || found < match))
            {
                match = found;
                which = i;
            }
        }

        return (match, which);
    }

    private void Return()
    {
        if (_work.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_work);
            _work = [];
        }
    }
}
