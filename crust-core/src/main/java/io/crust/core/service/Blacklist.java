package io.crust.core.service;

import io.crust.core.BanRule;
import io.crust.core.PeerId;
import java.net.InetAddress;
import java.util.concurrent.CopyOnWriteArrayList;

/** The node's ban rules; read on every connection attempt, changed rarely. */
final class Blacklist {
    private final CopyOnWriteArrayList<BanRule> rules = new CopyOnWriteArrayList<>();

    void add(BanRule rule) {
        rules.addIfAbsent(rule);
    }

    void remove(BanRule rule) {
        rules.remove(rule);
    }

    boolean bans(PeerId id) {
        for (BanRule rule : rules) {
            if (rule.matches(id)) {
                return true;
            }
        }
        return false;
    }

    boolean bans(InetAddress address) {
        if (address == null) {
            return false;
        }
        for (BanRule rule : rules) {
            if (rule.matches(address)) {
                return true;
            }
        }
        return false;
    }
}
