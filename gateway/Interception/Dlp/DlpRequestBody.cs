using System.Buffers;
using System.IO.Compression;

namespace Gateway.Interception.Dlp;

/// <summary>
/// The request body as the forwarder reads it, scanned on the way. Raw bytes are forwarded unchanged; what is
/// scanned is the body as the origin will read it: decoded when its Content-Encoding is gzip, deflate (zlib,
/// RFC 9110 §8.4.1.2) or br, through a decompressor that pulls the raw bytes (<see cref="DlpTeeStream"/>), bounded
/// in decoded size and ratio. Framing is Kestrel's: chunked HTTP/1.1 and HTTP/2 DATA frames arrive here as plain
/// body bytes, their boundaries bridged by the scanner's window. <see cref="PrefetchAsync"/> reads and scans the
/// first <see cref="DlpBodyLimits.Prefetch"/> bytes before the request is forwarded, so a short body with a
/// secret is refused before the upstream sees anything. A hit later on, in block mode, fails the read: the
/// forwarder then aborts the upstream request before its body is complete. Memory per request: the pending
/// buffer, the decoded chunk (when decoding), the scanner's window, all pooled, and the decompressor's state.
/// </summary>
internal sealed class DlpRequestBody : Stream
{
    private readonly Stream _inner;
    private readonly Stream? _decoder;
    private readonly bool _block;
    private readonly DlpStreamScanner _scanner;
    private byte[]? _pending;
    private byte[]? _decoded;
    private int _start;
    private int _end;
    private long _raw;
    private long _decodedTotal;
    private bool _scanning = true;
    private bool _decoding;
    private bool _finished;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="contentEncoding"/> picks the decoder (null or unknown: scanned raw).</summary>
    public DlpRequestBody(Stream inner, string? contentEncoding, DlpNeedles needles, in DlpContext context, bool block)
    {
        _inner = inner;
        _block = block;
        _scanner = new DlpStreamScanner(needles, context);
        _pending = ArrayPool<byte>.Shared.Rent(DlpBodyLimits.Prefetch + DlpBodyLimits.Slack);
        _decoder = Decoder(contentEncoding, new DlpTeeStream(inner, this));
        if (_decoder is not null)
        {
            _decoded = ArrayPool<byte>.Shared.Rent(DlpBodyLimits.DecodedChunk);
            _decoding = true;
        }
    }

    /// <summary>The first secret found, or <see cref="DlpPattern.None"/>.</summary>
    public DlpPattern Hit { get; private set; }

    /// <summary>Free room at the end of the pending buffer (for <see cref="DlpTeeStream"/>).</summary>
    internal Memory<byte> Free => _pending.AsMemory(_end);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Reads and scans up to <see cref="DlpBodyLimits.Prefetch"/> bytes (or the whole body, if shorter) without forwarding any.</summary>
    public async ValueTask<DlpPattern> PrefetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!_finished && _end < DlpBodyLimits.Prefetch && Hit == DlpPattern.None)
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DlpBlockedException)
        {
            // The hit is the answer; the body is not forwarded.
        }

        return Hit;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_block && Hit != DlpPattern.None)
        {
            throw new DlpBlockedException();
        }

        while (_start == _end)
        {
            if (_finished)
            {
                return 0;
            }

            _start = _end = 0;
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }

        int count = Math.Min(buffer.Length, _end - _start);
        _pending.AsSpan(_start, count).CopyTo(buffer.Span);
        _start += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the request body is read asynchronously");

    internal void Appended(int count)
    {
        _end += count;
        _raw += count;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_decoding)
        {
            await DecodeAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        int read = await _inner.ReadAsync(_pending.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _finished = true;
            Found(_scanning ? _scanner.Complete() : DlpPattern.None);
            return;
        }

        _raw += read;
        Span<byte> fresh = _pending.AsSpan(_end, read);
        _end += read;
        Found(_scanning ? _scanner.Feed(fresh) : DlpPattern.None);
    }

    // Decoded bytes are scanned; the raw bytes the decoder pulled are already pending for the forwarder.
    private async ValueTask DecodeAsync(CancellationToken cancellationToken)
    {
        int decoded;
        try
        {
            decoded = await _decoder!.ReadAsync(_decoded, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            _decoding = false;
            Found(DlpPattern.Undecodable);
            return;
        }

        if (decoded == 0)
        {
            // The compressed stream ended; whatever follows it (nothing, for a well-formed body) is forwarded as it is.
            _decoding = false;
            Found(_scanning ? _scanner.Complete() : DlpPattern.None);
            return;
        }

        _decodedTotal += decoded;
        if (_decodedTotal > DlpBodyLimits.MaxDecodedBytes
            || (_decodedTotal > DlpBodyLimits.RatioFloor && _decodedTotal > DlpBodyLimits.MaxRatio * Math.Max(1, _raw)))
        {
            _decoding = false;
            Found(DlpPattern.DecodeLimit);
            return;
        }

        Found(_scanning ? _scanner.Feed(_decoded.AsSpan(0, decoded)) : DlpPattern.None);
    }

    // In block mode a hit fails the read (the forwarder aborts the upstream request); in report mode the body goes
    // on unscanned: the hit is recorded once.
    private void Found(DlpPattern pattern)
    {
        if (pattern == DlpPattern.None)
        {
            return;
        }

        if (Hit == DlpPattern.None)
        {
            Hit = pattern;
        }

        _scanning = false;
        if (_block)
        {
            throw new DlpBlockedException();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _decoder?.Dispose();
            _scanner.Dispose();
            if (_pending is { } pending)
            {
                _pending = null;
                ArrayPool<byte>.Shared.Return(pending);
            }

            if (_decoded is { } decoded)
            {
                _decoded = null;
                ArrayPool<byte>.Shared.Return(decoded);
            }
        }

        base.Dispose(disposing);
    }

    private static Stream? Decoder(string? contentEncoding, Stream tee) => contentEncoding?.Trim().ToLowerInvariant() switch
    {
        "gzip" or "x-gzip" => new GZipStream(tee, CompressionMode.Decompress, leaveOpen: true),
        "deflate" => new ZLibStream(tee, CompressionMode.Decompress, leaveOpen: true),
        "br" => new BrotliStream(tee, CompressionMode.Decompress, leaveOpen: true),
        _ => null,
    };

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
