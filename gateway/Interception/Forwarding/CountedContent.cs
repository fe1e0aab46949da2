using System.Net;

namespace Gateway.Interception.Forwarding;

/// <summary>An upstream response body read through a <see cref="CountingReadStream"/>, so the audit holds the bytes relayed.</summary>
internal sealed class CountedContent(HttpContent upstream, RelayedBytes counter) : HttpContent
{
    protected override async Task<Stream> CreateContentReadStreamAsync() =>
        new CountingReadStream(await upstream.ReadAsStreamAsync().ConfigureAwait(false), counter, request: false);

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        new CountingReadStream(await upstream.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), counter, request: false);

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
}
