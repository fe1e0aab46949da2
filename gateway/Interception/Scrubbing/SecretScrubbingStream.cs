using System.Buffers;

namespace Gateway.Interception.Scrubbing;

/// <summary>
/// A response body read through this has every occurrence of a secret of its request replaced
/// by as many <c>*</c> bytes, so an upstream that echoes the credential (a debug endpoint, an
/// error that quotes the request) cannot hand it to the sandbox (invariant 2). The length is
/// unchanged, so <c>Content-Length</c> stays true. Bytes are passed on as they arrive, except a
/// tail that could be the start of a secret, which waits for the next read (or the end).
/// </summary>
internal sealed class SecretScrubbingStream : Stream
{
    private const int ReadSize = 16 * 1024;
    private const byte Mask = (byte)'*';

    private readonly Stream _inner;
    private readonly byte[][] _secrets;
    private readonly int _longest;
    private byte[]? _buffer;
    private byte[]? _masked;
    private int _carriedMask;
    private int _readyStart;
    private int _readyEnd;
    private int _end;
    private bool _innerDone;

    /// <param name="inner">The upstream body (already decoded if it was compressed).</param>
    /// <param name="secrets">The secrets, UTF-8, none empty.</param>
    public SecretScrubbingStream(Stream inner, byte[][] secrets)
    {
        _inner = inner;
        _secrets = secrets;
        foreach (byte[] secret in secrets)
        {
            ArgumentOutOfRangeException.ThrowIfZero(secret.Length, nameof(secrets));
            _longest = Math.Max(_longest, secret.Length);
        }

        _buffer = ArrayPool<byte>.Shared.Rent(ReadSize + _longest);
        _masked = ArrayPool<byte>.Shared.Rent(_buffer.Length);
        _masked.AsSpan().Clear(); // each scan clears only what it marked
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        while (_readyStart == _readyEnd && !ReleaseAtEnd())
        {
            byte[] buffer = Compact();
            Absorb(await _inner.ReadAsync(buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false));
        }

        return Emit(destination.Span);
    }

    public override int Read(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        while (_readyStart == _readyEnd && !ReleaseAtEnd())
        {
            byte[] buffer = Compact();
            Absorb(_inner.Read(buffer.AsSpan(_end)));
        }

        return Emit(destination);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (Interlocked.Exchange(ref _masked, null) is { } masked)
            {
                ArrayPool<byte>.Shared.Return(masked);
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        Dispose(disposing: true);
    }

    /// <summary>
    /// True once the upstream body has ended: a tail still held then was not the start of a
    /// secret; it is scanned once more and released (ready). With nothing left, a read returns 0.
    /// </summary>
    private bool ReleaseAtEnd()
    {
        if (_innerDone && _readyEnd < _end)
        {
            Compact();
            Scan(atEnd: true);
        }

        return _innerDone;
    }

    /// <summary>Moves the held tail to the front, leaving room for one read after it.</summary>
    private byte[] Compact()
    {
        byte[] buffer = _buffer ?? throw new ObjectDisposedException(nameof(SecretScrubbingStream));
        int held = _end - _readyEnd;
        buffer.AsSpan(_readyEnd, held).CopyTo(buffer);
        _readyStart = _readyEnd = 0;
        _end = held;
        return buffer;
    }

    private void Absorb(int read)
    {
        if (read == 0)
        {
            _innerDone = true;
            return;
        }

        _end += read;
        Scan(atEnd: false);
    }

    /// <summary>
    /// Finds every occurrence (overlapping ones too) of every secret in the buffered bytes, which
    /// are still as the upstream sent them, and masks those that start before the held tail:
    /// any such occurrence ends inside the buffer, since a tail that could start a secret is held.
    /// Masking waits until all secrets were looked for, so one secret's mask never hides another.
    /// </summary>
    private void Scan(bool atEnd)
    {
        Span<byte> window = _buffer.AsSpan(0, _end);
        Span<byte> masked = _masked.AsSpan(0, _end);
        int ready = atEnd ? _end : _end - HeldTail(window);
        int maskedTo = Math.Min(_carriedMask, _end);
        masked[..maskedTo].Fill(1);
        int marksEnd = maskedTo;
        foreach (byte[] secret in _secrets)
        {
            int from = 0;
            int at;
            while (from < ready && (at = window[from..].IndexOf(secret)) >= 0 && from + at < ready)
            {
                masked.Slice(from + at, secret.Length).Fill(1);
                marksEnd = Math.Max(marksEnd, from + at + secret.Length);
                from += at + 1;
            }
        }

        // Most bodies hold no secret: then nothing was marked and this costs nothing.
        int applyTo = Math.Min(marksEnd, ready);
        for (int i = 0; i < applyTo; i++)
        {
            int next = masked[i..applyTo].IndexOf((byte)1);
            if (next < 0)
            {
                break;
            }

            i += next;
            int run = masked[i..applyTo].IndexOf((byte)0);
            int length = run < 0 ? applyTo - i : run;
            window.Slice(i, length).Fill(Mask);
            i += length;
        }

        masked[..marksEnd].Clear();

        // The part of a mask that runs into the held tail is applied when that tail is ready.
        _carriedMask = Math.Max(0, marksEnd - ready);
        _readyEnd = ready;
    }

    /// <summary>The length of the longest tail of <paramref name="window"/> that a secret starts with (but is not all of).</summary>
    private int HeldTail(ReadOnlySpan<byte> window)
    {
        for (int length = Math.Min(_longest - 1, window.Length); length > 0; length--)
        {
            ReadOnlySpan<byte> tail = window[^length..];
            foreach (byte[] secret in _secrets)
            {
                if (secret.Length > length && secret.AsSpan().StartsWith(tail))
                {
                    return length;
                }
            }
        }

        return 0;
    }

    private int Emit(Span<byte> destination)
    {
        int count = Math.Min(destination.Length, _readyEnd - _readyStart);
        _buffer.AsSpan(_readyStart, count).CopyTo(destination);
        _readyStart += count;
        return count;
    }
}
