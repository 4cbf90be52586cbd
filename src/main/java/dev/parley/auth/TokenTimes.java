package dev.parley.auth;

/**
 * The one rule for a token's issue and start times, for Parley's own tokens and the OIDC realm's
 * alike: a token issued ({@code iat}) or valid from ({@code nbf}) more than {@value #CLOCK_SKEW_SECONDS}
 * seconds in the future is refused. Such a token was minted by a clock far ahead or on purpose (a
 * stolen signing key minting tokens for later); within the skew, clocks of different machines may
 * simply disagree.
 */
final class TokenTimes {

    /** How far ahead of this server's clock a token's iat or nbf may be. */
    static final long CLOCK_SKEW_SECONDS = 60;

    private TokenTimes() {
    }

    /** Why the times are refused at {@code nowSeconds}, or null when they are fine (either may be absent). */
    static String refusal(Long issuedAt, Long notBefore, long nowSeconds) {
        if (issuedAt != null && issuedAt > nowSeconds + CLOCK_SKEW_SECONDS) {
            return "issued in the future";
        }
        if (notBefore != null && notBefore > nowSeconds + CLOCK_SKEW_SECONDS) {
            return "token not valid yet";
        }
        return null;
    }
}
