namespace Security.Tests.Harness;

/// <summary>How the gateway ended one HTTP/2 stream: a response (status, headers, body), a RST_STREAM, a GOAWAY, or a closed connection.</summary>
internal sealed record Http2Outcome(int? Status, List<(string Name, string Value)> Headers, string Body, int? ResetCode, int? GoAwayCode, bool Closed)
{
    /// <summary>RFC 9113 §7 PROTOCOL_ERROR.</summary>
    public const int ProtocolError = 0x1;

    /// <summary>Refused at the HTTP/2 layer or with a 4xx, not answered by an upstream.</summary>
    public bool IsRefusal => ResetCode is not null || GoAwayCode is > 0 || Status is >= 400 and < 500 || (Closed && Status is null);

    public override string ToString() =>
        $"status={Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} rst={ResetCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} goaway={GoAwayCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} closed={Closed} body={Body}";
}
