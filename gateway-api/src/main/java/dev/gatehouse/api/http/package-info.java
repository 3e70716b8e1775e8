/**
 * HTTP pieces that the core and extensions share, so that they behave alike: status code ranges as Traefik writes
 * them ({@code 500-599}), a request body held in memory to be sent twice (retries, failover, forward
 * authentication), and a response held back until its status says whether it is sent or replaced.
 */
package dev.gatehouse.api.http;
