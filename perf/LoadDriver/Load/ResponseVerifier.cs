using System.Buffers;
using System.Buffers.Text;
using System.Text;
using LoadDriver.Origin;

namespace LoadDriver.Load;

/// <summary>
/// Checks an origin response as it arrives: <c>HTTP/1.1 200</c>, a Content-Length equal to
/// the size asked for, exactly the origin's body bytes, and optionally one header with an exact
/// value (how interception runs prove the header was injected). A wrong response is an error
/// of the run, never a success.
/// </summary>
internal sealed class ResponseVerifier
{
    /// <summary>Longest response head accepted.</summary>
    public const int MaxHeadLength = 8192;

    private static readonly SearchValues<byte> s_lineEnd = SearchValues.Create("\r"u8);

    private readonly byte[] _expectedBody;
    private readonly byte[]? _headerName;
    private readonly byte[]? _headerValue;

    /// <summary>Expects a body of <paramref name="bodySize"/> pattern bytes and, when <paramref name="header"/> is set ("Name: value"), that header.</summary>
    public ResponseVerifier(int bodySize, string? header = null)
    {
        _expectedBody = OriginBody.Of(bodySize).ToArray();
        if (header is not null)
        {
            int colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new ArgumentException($"expected header \"{header}\" is not \"Name: value\"", nameof(header));
            }

            _headerName = System.Text.Encoding.ASCII.GetBytes(header[..colon].Trim());
            _headerValue = System.Text.Encoding.ASCII.GetBytes(header[(colon + 1)..].Trim());
        }
    }

    /// <summary>Body bytes expected.</summary>
    public int BodySize => _expectedBody.Length;

    /// <summary>
    /// Examines <paramref name="received"/> (everything read since the request was sent).
    /// <paramref name="consumed"/> is the length of the complete response when the outcome is not
    /// <see cref="VerifyOutcome.Incomplete"/> and the head was parsed.
    /// </summary>
    public VerifyOutcome Verify(ReadOnlySpan<byte> received, out int consumed)
    {
        consumed = 0;
        int headEnd = received.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            return received.Length > MaxHeadLength ? VerifyOutcome.BadHead : VerifyOutcome.Incomplete;
        }

        ReadOnlySpan<byte> head = received[..(headEnd + 2)];
        if (!head.StartsWith("HTTP/1.1 "u8) || head.Length < 12)
        {
            return VerifyOutcome.BadHead;
        }

        bool ok200 = head[9..12].SequenceEqual("200"u8);
        long contentLength = -1;
        bool headerSeen = _headerName is null;
        int lineStart = head.IndexOf("\r\n"u8) + 2;
        while (lineStart < head.Length)
        {
            int lineLength = head[lineStart..].IndexOfAny(s_lineEnd);
            ReadOnlySpan<byte> line = head.Slice(lineStart, lineLength);
            lineStart += lineLength + 2;
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                return VerifyOutcome.BadHead;
            }

            ReadOnlySpan<byte> name = line[..colon];
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out contentLength, out int used) || used != value.Length || contentLength < 0)
                {
                    return VerifyOutcome.BadHead;
                }
            }
            else if (_headerName is not null && Ascii.EqualsIgnoreCase(name, _headerName))
            {
                headerSeen = value.SequenceEqual(_headerValue);
            }
        }

        if (contentLength < 0)
        {
            return VerifyOutcome.BadHead;
        }

        int bodyStart = headEnd + 4;
        if (received.Length - bodyStart < contentLength)
        {
            return ok200 && contentLength != _expectedBody.Length ? VerifyOutcome.BadBody : VerifyOutcome.Incomplete;
        }

        consumed = bodyStart + (int)contentLength;
        if (!ok200)
        {
            return VerifyOutcome.BadStatus;
        }

        if (!received.Slice(bodyStart, (int)contentLength).SequenceEqual(_expectedBody))
        {
            return VerifyOutcome.BadBody;
        }

        return headerSeen ? VerifyOutcome.Ok : VerifyOutcome.BadHeader;
    }
}
