namespace PolicyCompiler.Hosts;

/// <summary>Operator-facing explanations of <see cref="HostError"/>, each naming the fix.</summary>
public static class HostErrorMessages
{
    /// <summary>Describes <paramref name="error"/> in one phrase that says how to fix it.</summary>
    public static string Describe(HostError error) => error switch
    {
        HostError.None => "valid",
        HostError.Empty => "empty host; name a host such as \"example.com\"",
        HostError.TooLong => "longer than 253 characters; no DNS name is that long",
        HostError.EmptyLabel => "empty label (a leading dot or two dots in a row); remove the extra dot",
        HostError.LabelTooLong => "a label is longer than 63 characters; no DNS label is that long",
        HostError.InvalidCharacter => "contains a character no host name may have; use letters, digits, '-', '_' and '.' only",
        HostError.HyphenAtLabelEdge => "a label starts or ends with '-'; host name labels may not",
        HostError.NonCanonicalIPv4 => "not a canonical IPv4 address; write four decimal parts 0-255 without leading zeros, e.g. \"127.0.0.1\"",
        HostError.InvalidIPv6 => "not a valid IPv6 address; write it in brackets without a zone, e.g. \"[2001:db8::1]\"",
        HostError.InvalidIdn => "not a valid internationalised name (UTS 46); check the spelling or write its punycode (xn--) form",
        _ => error.ToString(),
    };
}
