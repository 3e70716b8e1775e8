/**
 * HTTP pieces that the core and extensions share, so that they behave alike: status code ranges as Traefik writes
 * them ({@code 500-599}), and a request body held in memory to be sent twice (retries, failover, forward
 * authentication).
 */
package dev.gatehouse.api.http;
