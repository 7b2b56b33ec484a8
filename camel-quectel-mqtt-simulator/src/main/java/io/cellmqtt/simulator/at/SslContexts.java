package io.cellmqtt.simulator.at;

import io.cellmqtt.simulator.broker.TlsSpec;
import io.cellmqtt.simulator.host.HostOutput;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The modem's SSL contexts: what {@code AT+QSSLCFG} (Quectel) or {@code AT+CSSLCFG} (SIMCom) set on
 * each, and the {@link TlsSpec} a TLS connection on a context is built from, with the files the
 * context names read from {@link ModemFiles} when the connection is made.
 *
 * <p>File names are not checked when they are configured: references 000, 003 and 004 configure the
 * names after uploading and show only {@code OK}, and the BG96 capture
 * ({@code bg96-03-ssl-open-fail.txt}) shows names accepted with OK and the failure reported by
 * {@code +QMTOPEN: 0,-1}. So a name that is not on the modem fails the open (Quectel) or the connect
 * (SIMCom: 33, "not set certificate", in the SIM7500/SIM7600 MQTT manual's error table).
 *
 * <p>Security levels. Quectel {@code seclevel} (references 003/004 section 5.2 and the BG95/BG96 SSL
 * application notes): 0 no authentication, 1 server authentication, 2 server and client
 * authentication "if requested by the remote server" (reference 004's own words). SIMCom
 * {@code authmode} (reference 001 section 3 sets 2 with all three files; the SIM7600 SSL manual): 0
 * none, 1 server, 2 server and client, 3 client only. {@code sslversion} 0 SSL 3.0, 1 TLS 1.0, 2 TLS
 * 1.1, 3 TLS 1.2, 4 all (reference 001 section 3: "SSL 3.0, TLS 1.0, TLS 1.1, TLS 1.2"); 4 is spoken
 * as TLS 1.2, the highest version the documents name, and SSL 3.0 to TLS 1.1 are whatever the JDK
 * still allows (by default nothing: the handshake fails). {@code ciphersuite} is kept and answered
 * but every suite the JDK has is offered.
 *
 * <p>Time. Quectel {@code ignorelocaltime} defaults to 1: the BG96 capture queries an unset context
 * ({@code AT+QSSLCFG="ignorelocaltime",1}) and gets {@code +QSSLCFG: "ignorelocaltime",1,1}. The
 * M95 spells it {@code ignorertctime} and sets it without a context (reference 003 section 5.2:
 * {@code AT+Qsslcfg="ignorertctime",1}); its default, and SIMCom's {@code ignorelocaltime} default,
 * are not in any document here and are taken as 1 like the BG96's. With 0 every certificate of the
 * server's chain must be valid at the simulator's {@link #clock(Clock) clock}.
 *
 * <p>The documents spell the level {@code "secllevel"} in their examples (references 003 and 004,
 * section 5.2, answered OK): it is taken as {@code seclevel}.
 */
public final class SslContexts {

    enum Dialect { BG, M95, SIMCOM }

    private static final String OK = AtInterpreter.OK;
    private static final String ERROR = AtInterpreter.ERROR;

    private static final Set<String> BG_KEYS = Set.of("cacert", "clientcert", "clientkey", "seclevel", "sslversion",
            "ciphersuite", "ignorelocaltime", "negotiatetime");
    private static final Set<String> M95_KEYS = Set.of("cacert", "clientcert", "clientkey", "seclevel", "sslversion",
            "ciphersuite");
    private static final Set<String> SIMCOM_KEYS = Set.of("cacert", "clientcert", "clientkey", "authmode", "sslversion",
            "ignorelocaltime", "negotiatetime", "password", "enablesni");
    private static final Set<String> FILE_KEYS = Set.of("cacert", "clientcert", "clientkey");

    private final Dialect dialect;
    private final ModemFiles files;
    private final Map<Integer, Map<String, String>> contexts = new ConcurrentHashMap<>();
    private volatile Integer ignoreRtcTime;
    private volatile Clock clock = Clock.systemUTC();

    public SslContexts(ModemProfile profile, ModemFiles files) {
        this.files = files;
        this.dialect = switch (profile.name()) {
            case "m95" -> Dialect.M95;
            case "sim7600" -> Dialect.SIMCOM;
            default -> Dialect.BG;
        };
    }

    /** The clock certificates are checked against (the modem's RTC); the system clock unless set. */
    public void clock(Clock c) {
        clock = c == null ? Clock.systemUTC() : c;
    }

    public Clock clock() {
        return clock;
    }

    /** A reboot forgets every SSL setting (as the simulator has always done with QSSLCFG). */
    void reset() {
        contexts.clear();
        ignoreRtcTime = null;
    }

    private int maxContext() {
        return dialect == Dialect.SIMCOM ? 9 : 5;
    }

    private Set<String> keys() {
        return switch (dialect) {
            case BG -> BG_KEYS;
            case M95 -> M95_KEYS;
            case SIMCOM -> SIMCOM_KEYS;
        };
    }

    /** What a context answers for a key nobody set. */
    private String defaultValue(String key) {
        return switch (key) {
            case "seclevel", "authmode" -> "0";
            case "sslversion" -> "4";
            case "ciphersuite" -> "0XFFFF";
            case "ignorelocaltime" -> "1";
            case "negotiatetime" -> "300";
            case "enablesni" -> "0";
            default -> "\"\"";
        };
    }

    /** {@code AT+QSSLCFG} / {@code AT+CSSLCFG}: set with values, query without. */
    String command(AtCommand c, HostOutput out) {
        if (c.type() == AtCommand.Type.TEST) {
            return OK;
        }
        if (c.type() != AtCommand.Type.WRITE || c.argCount() < 1) {
            return ERROR;
        }
        String key = c.arg(0).lower();
        if (key.equals("secllevel")) {
            key = "seclevel";
        }
        if (dialect == Dialect.M95 && key.equals("ignorertctime")) {
            return ignoreRtcTime(c, out);
        }
        if (!keys().contains(key) || c.argCount() < 2) {
            return ERROR;
        }
        int ctx = c.intArg(1);
        if (ctx < 0 || ctx > maxContext()) {
            return ERROR;
        }
        Map<String, String> values = contexts.computeIfAbsent(ctx, k -> new ConcurrentHashMap<>());
        if (c.argCount() == 2) {
            out.line(c.name() + ": \"" + c.arg(0).text() + "\"," + ctx + "," + values.getOrDefault(key, defaultValue(key)));
            return OK;
        }
        if (c.argCount() != 3) {
            return ERROR;
        }
        AtCommand.Arg v = c.arg(2);
        String stored;
        if (FILE_KEYS.contains(key) || key.equals("password")) {
            stored = "\"" + v.text() + "\"";
        } else if (key.equals("ciphersuite")) {
            // BG96 refuses the quoted form and takes 0XFFFF unquoted (capture bg96-03-ssl-open-fail.txt,
            // reference 004 section 5.2); the M95 note writes it quoted ("0xFFFF", reference 003 section 5.2)
            if (v.quoted() != (dialect == Dialect.M95)) {
                return ERROR;
            }
            String hex = v.text().trim();
            if (!hex.regionMatches(true, 0, "0x", 0, 2)) {
                return ERROR;
            }
            Integer.parseInt(hex.substring(2), 16); // malformed: ERROR
            stored = v.quoted() ? "\"" + hex + "\"" : hex;
        } else {
            int n = v.intValue();
            int max = switch (key) {
                case "seclevel" -> 2;
                case "authmode" -> 3;
                case "sslversion" -> 4;
                case "ignorelocaltime", "enablesni" -> 1;
                default -> Integer.MAX_VALUE;
            };
            if (n < 0 || n > max) {
                return ERROR;
            }
            stored = Integer.toString(n);
        }
        values.put(key, stored);
        return OK;
    }

    private String ignoreRtcTime(AtCommand c, HostOutput out) {
        if (c.argCount() == 1) {
            Integer v = ignoreRtcTime;
            out.line(c.name() + ": \"ignorertctime\"," + (v == null ? 1 : v));
            return OK;
        }
        int v = c.intArg(1);
        if (c.argCount() != 2 || v < 0 || v > 1) {
            return ERROR;
        }
        ignoreRtcTime = v;
        return OK;
    }

    private String raw(int ctx, String key) {
        Map<String, String> m = contexts.get(ctx);
        String v = m == null ? null : m.get(key);
        return v == null ? defaultValue(key) : v;
    }

    private int number(int ctx, String key) {
        return Integer.parseInt(raw(ctx, key));
    }

    /** A configured file name, or null when none is set. */
    private String fileName(int ctx, String key) {
        String v = raw(ctx, key);
        String name = v.length() >= 2 && v.startsWith("\"") ? v.substring(1, v.length() - 1) : v;
        return name.isEmpty() ? null : name;
    }

    /** The TLS of a connection on Quectel SSL context {@code ctx}, as {@code AT+QSSLCFG} set it. */
    public TlsSpec quectel(int ctx) {
        int level = number(ctx, "seclevel");
        boolean ignoreTime = dialect == Dialect.M95 ? (ignoreRtcTime == null ? 1 : ignoreRtcTime) == 1
                : number(ctx, "ignorelocaltime") == 1;
        return spec(ctx, level >= 1, level == 2, number(ctx, "sslversion"), !ignoreTime);
    }

    /** The TLS of a connection on SIMCom SSL context {@code ctx}, as {@code AT+CSSLCFG} set it. */
    public TlsSpec simcom(int ctx) {
        int mode = number(ctx, "authmode");
        return spec(ctx, mode == 1 || mode == 2, mode == 2 || mode == 3, number(ctx, "sslversion"),
                number(ctx, "ignorelocaltime") == 0);
    }

    private TlsSpec spec(int ctx, boolean verifyServer, boolean presentClient, int sslVersion, boolean checkTime) {
        String missing = null;
        byte[] ca = null;
        byte[] cert = null;
        byte[] key = null;
        if (verifyServer) {
            String n = fileName(ctx, "cacert");
            ca = files.read(n);
            if (ca == null) {
                missing = n == null ? "no CA certificate configured on context " + ctx : "CA certificate " + n + " is not on the modem";
            }
        }
        if (presentClient && missing == null) {
            String cn = fileName(ctx, "clientcert");
            String kn = fileName(ctx, "clientkey");
            cert = files.read(cn);
            key = files.read(kn);
            if (cert == null) {
                missing = cn == null ? "no client certificate configured on context " + ctx : "client certificate " + cn + " is not on the modem";
            } else if (key == null) {
                missing = kn == null ? "no client key configured on context " + ctx : "client key " + kn + " is not on the modem";
            }
        }
        List<String> protocols = switch (sslVersion) {
            case 0 -> List.of("SSLv3");
            case 1 -> List.of("TLSv1");
            case 2 -> List.of("TLSv1.1");
            default -> List.of("TLSv1.2");
        };
        return new TlsSpec(ca, cert, key, verifyServer, presentClient, protocols, checkTime, clock, missing);
    }
}
