namespace Gateway.Interception.Dlp;

/// <summary>What a needle found in the text stands for, and so how the hit is verified.</summary>
internal enum DlpNeedleKind
{
    /// <summary>A placeholder marker: a hit only for a placeholder of another sandbox.</summary>
    Placeholder,

    /// <summary>"AKIA" / "ASIA" and 16 upper-case letters or digits.</summary>
    AwsKeyId,

    /// <summary>"ghp_" and its siblings, 36 letters or digits.</summary>
    GithubToken,

    /// <summary>"github_pat_" and at least 60 letters, digits or "_".</summary>
    GithubPat,

    /// <summary>"glpat-" and at least 20 letters, digits, "_" or "-".</summary>
    GitlabToken,

    /// <summary>"xoxb-" and its siblings, at least 20 letters, digits or "-", a digit among them.</summary>
    SlackToken,

    /// <summary>"sk_live_" / "rk_live_" and at least 20 letters or digits.</summary>
    StripeKey,

    /// <summary>"-----BEGIN " and a label ending in "PRIVATE KEY".</summary>
    PrivateKey,

    /// <summary>"eyJ": a base64url JSON header, ".", and a base64url JSON payload.</summary>
    Jwt,

    /// <summary>"\"private_key" followed by a quoted PEM block.</summary>
    GoogleServiceAccount,
}
