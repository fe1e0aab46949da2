using System.Buffers;

namespace Gateway.Protocols;

/// <summary>
/// Tells from the first bytes of a connection to the transparent HTTP listener whether it is an
/// HTTP/1.x request: a pure function over bytes that consumes nothing, so Kestrel's own parser
/// reads the request after it.
/// </summary>
internal static class HttpRequestProbe
{
    // "CONNECT" is the longest method a request line may start with here; eight bytes decide.
    private const int MethodProbe = 8;

    /// <summary>An HTTP/1.x request line starts with a method token (RFC 9110 §9.1) and one SP.</summary>
    public static HttpProbeResult Probe(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> first = stackalloc byte[MethodProbe];
        int length = (int)Math.Min(buffer.Length, MethodProbe);
        buffer.Slice(0, length).CopyTo(first);
        for (int i = 0; i < length; i++)
        {
            byte b = first[i];
            if (b == ' ')
            {
                return i > 0 ? HttpProbeResult.Http : HttpProbeResult.NotHttp;
            }

            if (b is < (byte)'A' or > (byte)'Z')
            {
                return HttpProbeResult.NotHttp; // methods in use are upper-case letters
            }
        }

        return length < MethodProbe ? HttpProbeResult.NeedMore : HttpProbeResult.NotHttp;
    }
}
