using System.Buffers;

namespace Gateway.Protocols;

internal static partial class ConnectRequestReader
{
    // tchar (RFC 9110 §5.6.2).
    private static readonly SearchValues<byte> s_tokenBytes =
        SearchValues.Create("!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~"u8);

    // CTL: 0x00–0x1F and DEL.
    private static readonly SearchValues<byte> s_controlBytes = SearchValues.Create(Controls(allowTab: false));

    // CTL but HT, which field values may carry.
    private static readonly SearchValues<byte> s_valueControlBytes = SearchValues.Create(Controls(allowTab: true));

    // Where userinfo, a path, a query or a fragment would begin: none belongs in authority-form.
    private static readonly SearchValues<byte> s_authorityDelimiters = SearchValues.Create("#/?@"u8);

    // reg-name = *( unreserved / pct-encoded / sub-delims ) (RFC 3986 §3.2.2); IPv4 fits in it.
    private static readonly SearchValues<byte> s_regNameBytes =
        SearchValues.Create("!$%&'()*+,-.0123456789;=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~"u8);

    // Inside the brackets of an IP-literal: IPv6 (hex, ':', '.') and IPvFuture ("v" … unreserved / sub-delims / ':').
    private static readonly SearchValues<byte> s_ipLiteralBytes =
        SearchValues.Create("!$%&'()*+,-.0123456789:;=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~"u8);

    private static byte[] Controls(bool allowTab)
    {
        var bytes = new List<byte>(33);
        for (int b = 0; b < 0x20; b++)
        {
            if (!(allowTab && b == '\t'))
            {
                bytes.Add((byte)b);
            }
        }

        bytes.Add(0x7F);
        return [.. bytes];
    }
}
