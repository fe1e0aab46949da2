using System.Net;

namespace Gateway.Credentials;

/// <summary>
/// The body of an intercepted request to a bound host whose source says <c>body: true</c>: the body
/// YARP streams from the client, written through a <see cref="PlaceholderBodyWriter"/>. A real value
/// is rarely as long as its placeholder, so the length is not known before the end: Content-Length is
/// dropped, and the request goes chunked under HTTP/1.1 and without a length under HTTP/2 (RFC 9112
/// §6.1, RFC 9113 §8.1); every other content header is kept.
/// </summary>
internal sealed class PlaceholderBodyContent : HttpContent
{
    private readonly HttpContent _body;
    private readonly IReadOnlyList<BodyPlaceholder> _placeholders;

    public PlaceholderBodyContent(HttpContent body, IReadOnlyList<BodyPlaceholder> placeholders)
    {
        _body = body;
        _placeholders = placeholders;
        foreach (KeyValuePair<string, IEnumerable<string>> header in body.Headers)
        {
            if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }

    /// <summary>Placeholders replaced in the body sent, once it has been.</summary>
    public int Replaced { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var writer = new PlaceholderBodyWriter(stream, _placeholders);
        await _body.CopyToAsync(writer, cancellationToken).ConfigureAwait(false);
        await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
        Replaced = writer.Replaced;
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
            _body.Dispose();
        }

        base.Dispose(disposing);
    }
}
