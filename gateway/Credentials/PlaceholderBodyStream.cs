using Microsoft.AspNetCore.Http;

namespace Gateway.Credentials;

/// <summary>
/// The request body of an intercepted request to a bound host whose source says <c>body: true</c>,
/// as YARP reads it: the client's body passed through a <see cref="PlaceholderBodyWriter"/> (bounded
/// window, so a placeholder split across reads is found). YARP forwards <c>HttpRequest.Body</c> with
/// content it owns, so the body is swapped here, before it forwards. A real value is rarely as long as
/// its placeholder: Content-Length is removed, and the request goes chunked under HTTP/1.1 and without
/// a length under HTTP/2 (RFC 9112 §6.1, RFC 9113 §8.1).
/// </summary>
internal sealed class PlaceholderBodyStream : Stream
{
    private const int ReadSize = 16 * 1024;
    private readonly Stream _inner;
    private readonly MemoryStream _out = new();
    private readonly PlaceholderBodyWriter _writer;
    private readonly byte[] _read = new byte[ReadSize];
    private bool _ended;

    private PlaceholderBodyStream(Stream inner, IReadOnlyList<BodyPlaceholder> placeholders)
    {
        _inner = inner;
        _writer = new PlaceholderBodyWriter(_out, placeholders);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Makes <paramref name="context"/>'s body the substituted one and drops its Content-Length.</summary>
    public static void Attach(HttpContext context, IReadOnlyList<BodyPlaceholder> placeholders)
    {
        context.Request.Body = new PlaceholderBodyStream(context.Request.Body, placeholders);
        context.Request.Headers.ContentLength = null;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_out.Position == _out.Length && !_ended)
        {
            _out.Position = 0;
            _out.SetLength(0);
            int read = await _inner.ReadAsync(_read, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                await _writer.FinishAsync(cancellationToken).ConfigureAwait(false);
                _ended = true;
            }
            else
            {
                await _writer.WriteAsync(_read.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            _out.Position = 0;
        }

        return _out.Read(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("request bodies are read asynchronously");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _writer.Dispose();
            _out.Dispose();
        }

        base.Dispose(disposing);
    }
}
