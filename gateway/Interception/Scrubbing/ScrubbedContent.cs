using System.IO.Compression;
using System.Net;

namespace Gateway.Interception.Scrubbing;

/// <summary>
/// The upstream response body of a request that carried a secret, read through a
/// <see cref="SecretScrubbingStream"/>; a gzip, deflate or br body is decoded first, since a
/// secret cannot be found in compressed bytes (the client then gets it unencoded).
/// </summary>
internal sealed class ScrubbedContent(HttpContent upstream, byte[][] secrets, string? encoding) : HttpContent
{
    /// <summary>Whether a body in <paramref name="encoding"/> (one <c>Content-Encoding</c> token) can be decoded for scrubbing.</summary>
    public static bool CanDecode(string encoding) => Decoder(encoding) is not null;

    protected override async Task<Stream> CreateContentReadStreamAsync() =>
        Open(await upstream.ReadAsStreamAsync().ConfigureAwait(false));

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        Open(await upstream.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None).ConfigureAwait(false);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using Stream body = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await body.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            upstream.Dispose();
        }

        base.Dispose(disposing);
    }

    private static Func<Stream, Stream>? Decoder(string encoding) => encoding.Trim().ToLowerInvariant() switch
    {
        "gzip" or "x-gzip" => static body => new GZipStream(body, CompressionMode.Decompress),

        // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2).
        "deflate" => static body => new ZLibStream(body, CompressionMode.Decompress),
        "br" => static body => new BrotliStream(body, CompressionMode.Decompress),
        _ => null,
    };

    private SecretScrubbingStream Open(Stream body) =>
        new(encoding is null ? body : Decoder(encoding)!(body), secrets);
}
